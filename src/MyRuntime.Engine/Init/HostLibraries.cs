namespace MyRuntime.Engine.Init;

/// <summary>The dynamic loader and shared libraries a process has mapped, read from /proc/PID/maps.</summary>
public static class HostLibraries
{
    /// <summary>The loader and libraries this process has mapped (the binary itself excluded); empty for a static
    /// binary.</summary>
    public static List<string> OfThisProcess(string binaryPath) => FromMaps(File.ReadAllText("/proc/self/maps"), binaryPath);

    /// <summary>The distinct shared objects (file names holding ".so") in a maps text, in order of appearance;
    /// the loader comes first.</summary>
    public static List<string> FromMaps(string maps, string binaryPath)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (string line in maps.Split('\n'))
        {
            // address perms offset dev inode path: the path is everything from the sixth field on.
            string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6)
            {
                continue;
            }

            string path = fields[5].Trim();
            if (!path.StartsWith('/') || path.EndsWith(" (deleted)", StringComparison.Ordinal) || path == binaryPath
                || !Path.GetFileName(path).Contains(".so", StringComparison.Ordinal) || !seen.Add(path))
            {
                continue;
            }

            result.Add(path);
        }

        return [.. result.OrderByDescending(IsLoader)];
    }

    /// <summary>Whether path names a glibc dynamic loader (ld-linux-x86-64.so.2, ld-linux-aarch64.so.1, ...).</summary>
    public static bool IsLoader(string path) => Path.GetFileName(path).StartsWith("ld-linux", StringComparison.Ordinal);
}
