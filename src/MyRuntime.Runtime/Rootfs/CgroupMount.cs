using MyRuntime.Linux;

namespace MyRuntime.Runtime.Rootfs;

/// <summary>/sys/fs/cgroup inside the container: cgroup2 on a unified host; on a v1/hybrid host a tmpfs holding
/// a bind of each controller's hierarchy at the container's own cgroup.</summary>
public static class CgroupMount
{
    public static void Mount(string dest, ulong flags)
    {
        if (IsUnifiedHost())
        {
            Mounts.Mount("cgroup2", dest, "cgroup2", flags);
            return;
        }

        Mounts.Mount("tmpfs", dest, "tmpfs", flags & ~Mounts.MS_RDONLY, "mode=755");
        foreach (string line in File.ReadAllLines("/proc/self/cgroup"))
        {
            // "4:memory:/path" or "0::/path" (the unified part of a hybrid host)
            string[] parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            string controllers = parts[1].StartsWith("name=", StringComparison.Ordinal) ? parts[1][5..] : parts[1];
            string hierarchy = controllers.Length == 0 ? "unified" : controllers;
            string host = Path.Combine("/sys/fs/cgroup", hierarchy);
            if (!Directory.Exists(host))
            {
                continue;
            }

            string target = Path.Combine(dest, hierarchy);
            Directory.CreateDirectory(target);
            string source = host + parts[2].TrimEnd('/');
            Mounts.Mount(Directory.Exists(source) ? source : host, target, null, Mounts.MS_BIND | Mounts.MS_REC);
            Mounts.Mount(null, target, null, Mounts.MS_REMOUNT | Mounts.MS_BIND | (flags & (Mounts.MS_RDONLY | Mounts.MS_NOSUID | Mounts.MS_NODEV | Mounts.MS_NOEXEC)));
        }

        if ((flags & Mounts.MS_RDONLY) != 0)
        {
            Mounts.Mount(null, dest, null, Mounts.MS_REMOUNT | Mounts.MS_RDONLY | (flags & (Mounts.MS_NOSUID | Mounts.MS_NODEV | Mounts.MS_NOEXEC)));
        }
    }

    private static bool IsUnifiedHost() => File.Exists("/sys/fs/cgroup/cgroup.controllers");
}
