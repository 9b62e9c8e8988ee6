using MyRuntime.Linux;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Rootfs;

/// <summary>Builds the container's root filesystem inside its mount namespace: the rootfs bind, every mount of the
/// spec, /dev, then pivot_root; and after it, masked and read-only paths and the read-only root.</summary>
public sealed class RootfsSetup
{
    private readonly Spec spec;
    private readonly string rootfs;
    private readonly string bundle;
    private readonly bool userNs;

    public RootfsSetup(Spec spec, string rootfs, string bundle, bool userNs)
    {
        this.spec = spec;
        this.rootfs = rootfs;
        this.bundle = bundle;
        this.userNs = userNs;
    }

    /// <summary>Everything before the hooks that run in the container namespace and before pivot_root.</summary>
    public void Prepare()
    {
        ulong propagation = MountOptions.ParsePropagation(spec.Linux?.RootfsPropagation);
        Mounts.Mount(null, "/", null, propagation | Mounts.MS_REC);
        Mounts.Mount(rootfs, rootfs, null, Mounts.MS_BIND | Mounts.MS_REC);

        bool devIsBind = false;
        foreach (var m in spec.Mounts ?? [])
        {
            MountOne(m);
            if (m.Destination.TrimEnd('/') == "/dev")
            {
                devIsBind = m.Type == "bind" || MountOptions.Parse(m.Options).IsBind;
            }
        }

        if (!devIsBind)
        {
            Devices.Create(rootfs, spec.Linux?.Devices, userNs);
            Devices.CreateLinks(rootfs);
        }
    }

    private void MountOne(Mount m)
    {
        var opts = MountOptions.Parse(m.Options);
        string dest = SecureJoin.Join(rootfs, m.Destination);
        bool bind = m.Type == "bind" || opts.IsBind;
        if (bind)
        {
            string source = Path.GetFullPath(m.Source ?? throw new RuntimeException($"bind mount on {m.Destination} has no source"), bundle);
            bool isDir = Directory.Exists(source);
            if (!isDir && !File.Exists(source))
            {
                throw new RuntimeException($"mount source {source} for {m.Destination} does not exist");
            }

            CreateMountPoint(dest, isDir);
            Mounts.Mount(source, dest, null, Mounts.MS_BIND | (opts.Flags & Mounts.MS_REC));
            ulong remount = opts.RemountFlags;
            if (remount != 0)
            {
                if (userNs)
                {
                    remount |= Mounts.CurrentFlags(dest) & (Mounts.MS_NOSUID | Mounts.MS_NODEV | Mounts.MS_NOEXEC);
                }

                Mounts.Mount(null, dest, null, Mounts.MS_REMOUNT | Mounts.MS_BIND | remount);
            }
        }
        else
        {
            CreateMountPoint(dest, isDir: true);
            MountFilesystem(m, opts, dest);
        }

        foreach (ulong p in opts.Propagation)
        {
            Mounts.Mount(null, dest, null, p);
        }
    }

    private void MountFilesystem(Mount m, MountOptions opts, string dest)
    {
        string type = m.Type ?? throw new RuntimeException($"mount on {m.Destination} has no type");
        ulong flags = opts.Flags & ~Mounts.MS_REMOUNT;
        if (type is "cgroup" or "cgroup2")
        {
            CgroupMount.Mount(dest, flags);
            return;
        }

        try
        {
            Mounts.Mount(m.Source ?? type, dest, type, flags, opts.Data);
        }
        catch (LinuxException e) when (userNs && e.Errno == Errno.EPERM && type is "sysfs" or "mqueue")
        {
            // Inside a user namespace without its own network namespace (sysfs) or as the kernel refuses (mqueue),
            // fall back to a read-only view of the host's, as runc does for rootless containers.
            string host = type == "sysfs" ? "/sys" : "/dev/mqueue";
            Mounts.Mount(host, dest, null, Mounts.MS_BIND | Mounts.MS_REC);
            Mounts.Mount(null, dest, null, Mounts.MS_REMOUNT | Mounts.MS_BIND | Mounts.MS_RDONLY | (flags & (Mounts.MS_NOSUID | Mounts.MS_NODEV | Mounts.MS_NOEXEC)));
        }
    }

    private static void CreateMountPoint(string dest, bool isDir)
    {
        if (isDir)
        {
            if (!Directory.Exists(dest))
            {
                Directory.CreateDirectory(dest);
            }

            return;
        }

        if (!File.Exists(dest))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.WriteAllBytes(dest, []);
        }
    }

    /// <summary>Makes rootfs the root: pivot_root, or with --no-pivot a move mount and chroot.</summary>
    public void SwitchRoot(bool noPivot)
    {
        Files.Chdir(rootfs);
        if (noPivot)
        {
            Mounts.Mount(rootfs, "/", null, Mounts.MS_MOVE);
            Files.Chroot(".");
        }
        else
        {
            Mounts.PivotRoot(".", ".");
            // The old root is now stacked under "."; detach it without propagating the unmount to the host.
            Mounts.Mount(null, ".", null, Mounts.MS_SLAVE | Mounts.MS_REC);
            Mounts.Unmount(".", Mounts.MNT_DETACH);
        }

        Files.Chdir("/");
    }

    /// <summary>After switching root: sysctls, masked paths, read-only paths, then the read-only root.</summary>
    public void Finish()
    {
        foreach (var (key, value) in spec.Linux?.Sysctl ?? [])
        {
            string path = "/proc/sys/" + key.Replace('.', '/');
            try
            {
                File.WriteAllText(path, value);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new RuntimeException($"set sysctl {key}={value}: {e.Message}");
            }
        }

        foreach (string p in spec.Linux?.MaskedPaths ?? [])
        {
            Mask(p);
        }

        foreach (string p in spec.Linux?.ReadonlyPaths ?? [])
        {
            MakeReadonly(p, recursive: true);
        }

        if (spec.Root?.Readonly == true)
        {
            ulong keep = Mounts.CurrentFlags("/") & ~Mounts.MS_RDONLY;
            Mounts.Mount(null, "/", null, Mounts.MS_REMOUNT | Mounts.MS_BIND | Mounts.MS_RDONLY | keep);
        }
    }

    private static void Mask(string path)
    {
        if (Directory.Exists(path))
        {
            Mounts.Mount("tmpfs", path, "tmpfs", Mounts.MS_RDONLY);
        }
        else if (File.Exists(path))
        {
            Mounts.Mount("/dev/null", path, null, Mounts.MS_BIND);
        }
    }

    private static void MakeReadonly(string path, bool recursive)
    {
        if (!Directory.Exists(path) && !File.Exists(path))
        {
            return;
        }

        ulong rec = recursive ? Mounts.MS_REC : 0;
        Mounts.Mount(path, path, null, Mounts.MS_BIND | rec);
        ulong keep = Mounts.CurrentFlags(path) & ~Mounts.MS_RDONLY;
        Mounts.Mount(null, path, null, Mounts.MS_REMOUNT | Mounts.MS_BIND | Mounts.MS_RDONLY | keep | rec);
    }
}
