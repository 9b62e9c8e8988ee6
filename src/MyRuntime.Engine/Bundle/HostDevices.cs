using MyRuntime.Linux;

namespace MyRuntime.Engine.Bundle;

/// <summary>A device node of the host: its type ('c' or 'b'), numbers, mode bits and owner.</summary>
public sealed record HostDevice(string Path, char Type, long Major, long Minor, uint FileMode, uint Uid, uint Gid);

/// <summary>What the bundle builder asks of the host; tests replace the parts they need.</summary>
public sealed record BundleHost
{
    /// <summary>The device node at a host path (symlinks followed), or null when it is missing or not a device.</summary>
    public Func<string, HostDevice?> StatDevice { get; init; } = HostDevices.Stat;

    /// <summary>All device nodes under the host's /dev (for --privileged).</summary>
    public Func<IReadOnlyList<HostDevice>> ListDevices { get; init; } = HostDevices.List;

    /// <summary>A host environment variable, or null (for -e KEY).</summary>
    public Func<string, string?> GetEnv { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The kernel's highest capability number.</summary>
    public Func<int> LastCap { get; init; } = Capabilities.LastCap;

    /// <summary>The engine's own bounding set: what --privileged and --cap-add ALL can grant.</summary>
    public Func<ulong> BoundingSet { get; init; } = Capabilities.BoundingSet;

    public static BundleHost Default { get; } = new();
}

/// <summary>Reads device nodes of the host.</summary>
public static class HostDevices
{
    private static readonly string[] SkippedDirs = ["pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"];

    public static HostDevice? Stat(string path)
    {
        string target = path;
        try
        {
            if (File.ResolveLinkTarget(path, returnFinalTarget: true) is { } link)
            {
                target = link.FullName;
            }
        }
        catch (IOException)
        {
            return null;
        }

        return FileMetadata.TryLstat(target) is { } st ? FromStatus(path, st) : null;
    }

    public static IReadOnlyList<HostDevice> List()
    {
        var found = new List<HostDevice>();
        Walk("/dev", found);
        return found;
    }

    private static void Walk(string dir, List<HostDevice> found)
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (string path in entries)
        {
            if (FileMetadata.TryLstat(path) is not { } st)
            {
                continue;
            }

            if (st.IsDirectory)
            {
                if (!SkippedDirs.Contains(Path.GetFileName(path)))
                {
                    Walk(path, found);
                }
            }
            else if (path != "/dev/console" && FromStatus(path, st) is { } device)
            {
                found.Add(device);
            }
        }
    }

    private static HostDevice? FromStatus(string path, FileStatus st)
    {
        char type = st.Type switch
        {
            Files.S_IFCHR => 'c',
            Files.S_IFBLK => 'b',
            _ => '\0',
        };
        return type == '\0' ? null : new HostDevice(path, type, st.RdevMajor, st.RdevMinor, st.Mode & 0xfff, st.Uid, st.Gid);
    }
}
