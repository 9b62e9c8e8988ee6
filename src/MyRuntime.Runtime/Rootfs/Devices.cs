using MyRuntime.Linux;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Rootfs;

/// <summary>/dev inside the container: the spec's default devices, linux.devices, and the standard links.</summary>
public static class Devices
{
    private static readonly Device[] Defaults =
    [
        new() { Type = "c", Path = "/dev/null", Major = 1, Minor = 3, FileMode = 0x1b6 },
        new() { Type = "c", Path = "/dev/zero", Major = 1, Minor = 5, FileMode = 0x1b6 },
        new() { Type = "c", Path = "/dev/full", Major = 1, Minor = 7, FileMode = 0x1b6 },
        new() { Type = "c", Path = "/dev/random", Major = 1, Minor = 8, FileMode = 0x1b6 },
        new() { Type = "c", Path = "/dev/urandom", Major = 1, Minor = 9, FileMode = 0x1b6 },
        new() { Type = "c", Path = "/dev/tty", Major = 5, Minor = 0, FileMode = 0x1b6 },
    ];

    /// <summary>Creates the devices (mknod, or a bind mount of the host's node inside a user namespace).</summary>
    public static void Create(string rootfs, IReadOnlyList<Device>? extra, bool userNs)
    {
        var all = new List<Device>(Defaults);
        foreach (var d in extra ?? [])
        {
            all.RemoveAll(x => x.Path == d.Path);
            all.Add(d);
        }

        foreach (var d in all)
        {
            string dest = SecureJoin.Join(rootfs, d.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            if (userNs)
            {
                BindHostNode(d.Path, dest);
            }
            else
            {
                MakeNode(d, dest);
            }
        }
    }

    private static void MakeNode(Device d, string dest)
    {
        uint type = d.Type switch
        {
            "b" => Files.S_IFBLK,
            "p" => Files.S_IFIFO,
            _ => Files.S_IFCHR,
        };
        if (File.Exists(dest) || new FileInfo(dest).LinkTarget is not null)
        {
            File.Delete(dest);
        }

        uint mode = d.FileMode ?? 0x1b6;
        Files.MakeNode(dest, type | (mode & 0xfff), d.Type == "p" ? 0 : Files.MakeDev(d.Major, d.Minor));
        Files.Chmod(dest, mode & 0xfff); // mknod is subject to the umask
        Files.Lchown(dest, d.Uid ?? 0, d.Gid ?? 0);
    }

    private static void BindHostNode(string hostPath, string dest)
    {
        if (!File.Exists(dest))
        {
            File.WriteAllBytes(dest, []);
        }

        Mounts.Mount(hostPath, dest, null, Mounts.MS_BIND);
    }

    /// <summary>/dev/fd, stdin, stdout, stderr, ptmx (to the devpts instance) and core where the kernel has kcore.</summary>
    public static void CreateLinks(string rootfs)
    {
        var links = new List<(string Name, string Target)>
        {
            ("fd", "/proc/self/fd"),
            ("stdin", "/proc/self/fd/0"),
            ("stdout", "/proc/self/fd/1"),
            ("stderr", "/proc/self/fd/2"),
        };
        if (File.Exists("/proc/kcore"))
        {
            links.Add(("core", "/proc/kcore"));
        }

        string dev = Path.Combine(rootfs, "dev");
        foreach (var (name, target) in links)
        {
            string path = Path.Combine(dev, name);
            if (!File.Exists(path) && !Directory.Exists(path) && new FileInfo(path).LinkTarget is null)
            {
                File.CreateSymbolicLink(path, target);
            }
        }

        string ptmx = Path.Combine(dev, "ptmx");
        if (Directory.Exists(Path.Combine(dev, "pts")))
        {
            if (File.Exists(ptmx) || new FileInfo(ptmx).LinkTarget is not null)
            {
                File.Delete(ptmx);
            }

            File.CreateSymbolicLink(ptmx, "pts/ptmx");
        }
    }
}
