using MyRuntime.Linux;

namespace MyRuntime.Runtime.Rootfs;

/// <summary>The mount a path lies on, from /proc/self/mountinfo (the namespace the container's is copied from).</summary>
public static class MountParent
{
    /// <summary>The mount point of the mount holding <paramref name="path"/> (the path itself when it is one).</summary>
    public static string Of(string path)
    {
        string real = Resolve(path);
        string best = "/";
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] fields = line.Split(' ');
            if (fields.Length <= 4)
            {
                continue;
            }

            string mountPoint = MountInfo.Unescape(fields[4]);
            bool holds = mountPoint == "/" || real == mountPoint || real.StartsWith(mountPoint + "/", StringComparison.Ordinal);
            if (holds && mountPoint.Length > best.Length)
            {
                best = mountPoint;
            }
        }

        return best;
    }

    /// <summary>The path with every symbolic link resolved (mountinfo names real paths).</summary>
    private static string Resolve(string path, int depth = 0)
    {
        if (depth > 40)
        {
            throw new RuntimeException($"rootfs {path}: too many levels of symbolic links");
        }

        string result = "/";
        foreach (string part in Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Combine(result, part);
            string? target = new FileInfo(next).LinkTarget;
            result = target is null ? next : Resolve(Path.GetFullPath(target, result), depth + 1);
        }

        return result;
    }
}
