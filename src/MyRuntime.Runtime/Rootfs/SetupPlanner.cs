using MyRuntime.Linux;
using MyRuntime.Linux.Spawn;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Rootfs;

/// <summary>What the planner needs besides the spec.</summary>
public sealed class SetupInputs
{
    public required Spec Spec { get; init; }

    public required string Rootfs { get; init; }

    public required string Bundle { get; init; }

    public bool UserNamespace { get; init; }

    public bool NoPivot { get; init; }

    public int ConsoleFd { get; init; } = -1;

    /// <summary>O_PATH descriptor of the exec FIFO.</summary>
    public int FifoFd { get; init; } = -1;

    /// <summary>The container's cgroup directories by v1 hierarchy, bound at /sys/fs/cgroup/HIERARCHY.</summary>
    public IReadOnlyDictionary<string, string> CgroupDirs { get; init; } = new Dictionary<string, string>();
}

/// <summary>Compiles a container's setup into the operations its cloned child runs with raw system calls: the
/// rootfs bind, the spec's mounts, /dev, hooks, the console, pivot_root, hostname, sysctls, masked and read-only
/// paths, the read-only root, then the ready report and the wait for start.</summary>
public static class SetupPlanner
{
    private static readonly Device[] DefaultDevices =
    [
        new() { Type = "c", Path = "/dev/null", Major = 1, Minor = 3, FileMode = 0x1b6 },
        new() { Type = "c", Path = "/dev/zero", Major = 1, Minor = 5, FileMode = 0x1b6 },
        new() { Type = "c", Path = "/dev/full", Major = 1, Minor = 7, FileMode = 0x1b6 },
        new() { Type = "c", Path = "/dev/random", Major = 1, Minor = 8, FileMode = 0x1b6 },
        new() { Type = "c", Path = "/dev/urandom", Major = 1, Minor = 9, FileMode = 0x1b6 },
        new() { Type = "c", Path = "/dev/tty", Major = 5, Minor = 0, FileMode = 0x1b6 },
    ];

    private const ulong Locked = Mounts.MS_NOSUID | Mounts.MS_NODEV | Mounts.MS_NOEXEC;

    public static SetupProgram Plan(SetupInputs input, bool runtimeHooks)
    {
        var spec = input.Spec;
        string rootfs = input.Rootfs;
        var prog = new SetupProgram();
        try
        {
            ulong propagation = MountOptions.ParsePropagation(spec.Linux?.RootfsPropagation);
            prog.Add(SetupOpCode.Mount, "set the propagation of /", s2: "/", a: (long)(propagation | Mounts.MS_REC));
            bool shared = (propagation & Mounts.MS_SHARED) != 0;
            if (shared)
            {
                // The kernel refuses pivot_root (and a move) under a shared parent; a private parent also keeps the
                // bind below from propagating to the host. The new root gets the requested propagation once in place.
                string parent = MountParent.Of(rootfs);
                prog.Add(SetupOpCode.Mount, $"make the rootfs' parent mount {parent} private", s2: parent, a: (long)Mounts.MS_PRIVATE);
            }

            prog.Add(SetupOpCode.Mount, $"bind the rootfs {rootfs}", s1: rootfs, s2: rootfs, a: (long)(Mounts.MS_BIND | Mounts.MS_REC));

            bool devIsBind = false, hasDevpts = false;
            var mounted = new List<string>();
            foreach (var m in spec.Mounts ?? [])
            {
                string dest = SecureJoin.Join(rootfs, m.Destination);
                if (!mounted.Any(d => dest == d || dest.StartsWith(d + "/", StringComparison.Ordinal)))
                {
                    // Made now, as the runtime's user: the container's root may not own the image's directories.
                    PrecreateMountPoint(m, dest, input.Bundle);
                }

                mounted.Add(dest);
                bool bind = m.Type == "bind" || MountOptions.Parse(m.Options).IsBind;
                if (m.Destination.TrimEnd('/') == "/dev")
                {
                    devIsBind = bind;
                }

                hasDevpts |= m.Type == "devpts" && m.Destination.TrimEnd('/') == "/dev/pts";
                PlanMount(prog, m, dest, rootfs, input);
            }

            if (!devIsBind)
            {
                PlanDevices(prog, rootfs, spec.Linux?.Devices, input.UserNamespace, hasDevpts);
            }

            var process = spec.Process!;
            if (runtimeHooks)
            {
                prog.Add(SetupOpCode.SyncHooks, "run the prestart and createRuntime hooks");
            }

            PlanHooks(prog, "createContainer", spec.Hooks?.CreateContainer);

            if (process.Terminal)
            {
                AddConsole(prog, process, input.ConsoleFd, rootfs, $"{rootfs}/dev/console");
            }

            PlanSwitchRoot(prog, rootfs, input.NoPivot);
            if (shared)
            {
                prog.Add(SetupOpCode.Mount, $"make / {spec.Linux!.RootfsPropagation}", s2: "/", a: (long)propagation);
            }

            if (!string.IsNullOrEmpty(spec.Hostname))
            {
                prog.Add(SetupOpCode.SetHostname, $"set hostname {spec.Hostname}", s1: spec.Hostname, a: System.Text.Encoding.UTF8.GetByteCount(spec.Hostname));
            }

            if (!string.IsNullOrEmpty(spec.Domainname))
            {
                prog.Add(SetupOpCode.SetDomainname, $"set domainname {spec.Domainname}", s1: spec.Domainname, a: System.Text.Encoding.UTF8.GetByteCount(spec.Domainname));
            }

            foreach (var (key, value) in spec.Linux?.Sysctl ?? [])
            {
                prog.Add(SetupOpCode.WriteFile, $"set sysctl {key}={value}", s1: "/proc/sys/" + key.Replace('.', '/'), s2: value, a: System.Text.Encoding.UTF8.GetByteCount(value));
            }

            // The working directory is made if the image lacks it, as runc does (best effort: a read-only or foreign
            // image may refuse, and then the chdir before ready reports it).
            string cwdPath = string.Empty;
            foreach (string part in process.Cwd.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                cwdPath += "/" + part;
                prog.Add(SetupOpCode.Mkdir, $"create the working directory {cwdPath}", s1: cwdPath, a: 0x1ed, flags: SetupProgram.FlagOptional);
            }

            foreach (string p in spec.Linux?.MaskedPaths ?? [])
            {
                prog.Add(SetupOpCode.Mask, $"mask {p}", s1: p, s2: "/dev/null", s3: "tmpfs");
            }

            foreach (string p in spec.Linux?.ReadonlyPaths ?? [])
            {
                prog.Add(SetupOpCode.ReadonlyBind, $"make {p} read-only", s1: p, a: (long)Mounts.MS_REC);
            }

            if (spec.Root?.Readonly == true)
            {
                prog.Add(SetupOpCode.RemountKeepingLocked, "make the root read-only", s1: "/", a: (long)Mounts.MS_RDONLY,
                    b: (long)(Locked | Mounts.MS_NOATIME | Mounts.MS_NODIRATIME | Mounts.MS_RELATIME));
            }

            prog.Add(SetupOpCode.ApplyProcessEarly, "apply rlimits, oom_score_adj and the working directory");

            // The pty becomes stdio before the wait for start, as runc does: the create command's own stdout and
            // stderr must not stay open in the container, since a caller reading them to EOF (containerd's shim
            // with a terminal) would wait for the container to exit and never get to start it.
            if (process.Terminal)
            {
                prog.Add(SetupOpCode.AttachConsole, "attach the console");
            }

            prog.Add(SetupOpCode.Ready, "report ready");
            prog.Add(SetupOpCode.WaitStart, "wait for start", s1: $"/proc/self/fd/{input.FifoFd}", a: input.FifoFd);
            if (spec.Hooks?.StartContainer is { Count: > 0 })
            {
                // The state was built while creating; at start the container is "created" (the space keeps the length
                // and the JSON valid).
                prog.Add(SetupOpCode.ReplaceInState, "mark the hooks' state created", s1: "\"status\":\"creating\"", s2: "\"status\":\"created\" ");
            }

            PlanHooks(prog, "startContainer", spec.Hooks?.StartContainer);

            // The byte that start waits for comes after the startContainer hooks, so that they have run (in
            // order, before the user program) when start goes on to the poststart hooks.
            prog.Add(SetupOpCode.SignalStart, "report started");

            return prog;
        }
        catch
        {
            prog.Dispose();
            throw;
        }
    }

    /// <summary>A pty from the devpts under devRoot, its master sent to the console socket, its slave kept for
    /// AttachConsole (and bound over console when given).</summary>
    public static void AddConsole(SetupProgram prog, Process process, int consoleFd, string root, string? console)
    {
        long size = process.ConsoleSize is { Height: > 0, Width: > 0 } cs ? ((long)cs.Height << 16) | cs.Width : 0;
        prog.Add(SetupOpCode.Console, "set up the console", s1: $"{root}/dev/pts/ptmx", s2: $"{root}/dev/pts/", s3: console,
            a: consoleFd, b: size, c: process.User.Uid | ((long)process.User.Gid << 32));
    }

    private static void PlanMount(SetupProgram prog, Mount m, string dest, string rootfs, SetupInputs input)
    {
        string bundle = input.Bundle;
        bool userNs = input.UserNamespace;
        var opts = MountOptions.Parse(m.Options);
        bool bind = m.Type == "bind" || opts.IsBind;
        string what = $"mount {m.Type ?? "bind"} on {m.Destination}";
        if (bind)
        {
            string source = Path.GetFullPath(m.Source ?? throw new RuntimeException($"bind mount on {m.Destination} has no source"), bundle);
            bool isDir = Directory.Exists(source);
            if (!isDir && !File.Exists(source))
            {
                throw new RuntimeException($"mount source {source} for {m.Destination} does not exist");
            }

            MakeMountPoint(prog, rootfs, dest, isDir);
            prog.Add(SetupOpCode.Mount, what, s1: source, s2: dest, a: (long)(Mounts.MS_BIND | (opts.Flags & Mounts.MS_REC)));
            ulong remount = opts.RemountFlags;
            if (remount != 0)
            {
                prog.Add(SetupOpCode.RemountKeepingLocked, $"remount {m.Destination}", s1: dest, a: (long)remount, b: userNs ? (long)Locked : 0);
            }
        }
        else
        {
            MakeMountPoint(prog, rootfs, dest, isDir: true);
            string type = m.Type ?? throw new RuntimeException($"mount on {m.Destination} has no type");
            ulong flags = opts.Flags & ~Mounts.MS_REMOUNT;
            if (type is "cgroup" or "cgroup2")
            {
                PlanCgroup(prog, dest, flags, input.CgroupDirs);
            }
            else if (userNs && type is "sysfs" or "mqueue")
            {
                // Inside a user namespace the kernel may refuse these; fall back to the host's, read-only (as runc).
                prog.Add(SetupOpCode.Mount, what, s1: m.Source ?? type, s2: dest, s3: type, s4: NullIfEmpty(opts.Data), a: (long)flags, flags: SetupProgram.FlagFallbackOnEperm);
                prog.Add(SetupOpCode.Mount, $"bind the host's {type} on {m.Destination}", s1: type == "sysfs" ? "/sys" : "/dev/mqueue", s2: dest, a: (long)(Mounts.MS_BIND | Mounts.MS_REC));
                prog.Add(SetupOpCode.RemountKeepingLocked, $"remount {m.Destination}", s1: dest, a: (long)(Mounts.MS_RDONLY | (flags & Locked)), b: (long)Locked);
            }
            else
            {
                prog.Add(SetupOpCode.Mount, what, s1: m.Source ?? type, s2: dest, s3: type, s4: NullIfEmpty(opts.Data), a: (long)flags);
            }
        }

        foreach (ulong p in opts.Propagation)
        {
            prog.Add(SetupOpCode.Mount, $"set the propagation of {m.Destination}", s2: dest, a: (long)p);
        }
    }

    private static void PrecreateMountPoint(Mount m, string dest, string bundle)
    {
        try
        {
            bool bind = m.Type == "bind" || MountOptions.Parse(m.Options).IsBind;
            string? source = bind && m.Source is not null ? Path.GetFullPath(m.Source, bundle) : null;
            if (source is not null && File.Exists(source))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
                if (!File.Exists(dest))
                {
                    using (File.Create(dest))
                    {
                    }
                }
            }
            else
            {
                Directory.CreateDirectory(dest);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The child tries again inside the container (a read-only image, say, with the point already there).
        }
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    /// <summary>Directories (and for a file bind, an empty file) up to the mount point, made in the child because
    /// they may lie inside a filesystem mounted just before.</summary>
    private static void MakeMountPoint(SetupProgram prog, string rootfs, string dest, bool isDir)
    {
        string relative = Path.GetRelativePath(rootfs, dest);
        if (relative == ".")
        {
            return;
        }

        string[] parts = relative.Split('/');
        string current = rootfs;
        for (int i = 0; i < parts.Length; i++)
        {
            current += "/" + parts[i];
            bool last = i == parts.Length - 1;
            if (last && !isDir)
            {
                prog.Add(SetupOpCode.CreateFile, $"create the mount point {current}", s1: current);
            }
            else
            {
                prog.Add(SetupOpCode.Mkdir, $"create the mount point {current}", s1: current, a: 0x1ed);
            }
        }
    }

    private static void PlanCgroup(SetupProgram prog, string dest, ulong flags, IReadOnlyDictionary<string, string> containerDirs)
    {
        if (File.Exists("/sys/fs/cgroup/cgroup.controllers"))
        {
            prog.Add(SetupOpCode.Mount, "mount cgroup2", s1: "cgroup2", s2: dest, s3: "cgroup2", a: (long)flags);
            return;
        }

        // v1/hybrid host: a tmpfs holding a bind of each hierarchy: the container's own cgroup where it has one,
        // else the runtime's cgroup of that hierarchy.
        prog.Add(SetupOpCode.Mount, "mount the cgroup tmpfs", s1: "tmpfs", s2: dest, s3: "tmpfs", s4: "mode=755", a: (long)(flags & ~Mounts.MS_RDONLY));
        foreach (string line in File.ReadAllLines("/proc/self/cgroup"))
        {
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

            string key = parts[1].Length == 0 ? Cgroups.V1.HybridUnified.Key : parts[1]; // a hybrid host's cgroup2 mount
            string source = containerDirs.TryGetValue(key, out string? mine) ? mine : host + parts[2].TrimEnd('/');
            string target = $"{dest}/{hierarchy}";
            prog.Add(SetupOpCode.Mkdir, $"create {target}", s1: target, a: 0x1ed);
            prog.Add(SetupOpCode.Mount, $"bind cgroup {hierarchy}", s1: Directory.Exists(source) ? source : host, s2: target, a: (long)(Mounts.MS_BIND | Mounts.MS_REC));
            prog.Add(SetupOpCode.RemountKeepingLocked, $"remount cgroup {hierarchy}", s1: target, a: (long)(flags & (Mounts.MS_RDONLY | Locked)), b: (long)Locked);
        }

        if ((flags & Mounts.MS_RDONLY) != 0)
        {
            prog.Add(SetupOpCode.Mount, "make the cgroup tmpfs read-only", s2: dest, a: (long)(Mounts.MS_REMOUNT | Mounts.MS_RDONLY | (flags & Locked)));
        }
    }

    private static void PlanDevices(SetupProgram prog, string rootfs, IReadOnlyList<Device>? extra, bool userNs, bool hasDevpts)
    {
        var all = new List<Device>(DefaultDevices);
        foreach (var d in extra ?? [])
        {
            all.RemoveAll(x => x.Path == d.Path);
            all.Add(d);
        }

        foreach (var d in all)
        {
            string dest = rootfs + d.Path;
            string dir = Path.GetDirectoryName(dest)!;
            if (dir != rootfs + "/dev")
            {
                MakeMountPoint(prog, rootfs, dir, isDir: true);
            }

            if (userNs)
            {
                prog.Add(SetupOpCode.CreateFile, $"create {d.Path}", s1: dest);
                prog.Add(SetupOpCode.Mount, $"bind the host's {d.Path}", s1: d.Path, s2: dest, a: (long)Mounts.MS_BIND);
                continue;
            }

            uint type = d.Type switch
            {
                "b" => Files.S_IFBLK,
                "p" => Files.S_IFIFO,
                _ => Files.S_IFCHR,
            };
            uint mode = (d.FileMode ?? 0x1b6) & 0xfff;
            long dev = d.Type == "p" ? 0 : (long)Files.MakeDev(d.Major, d.Minor);
            prog.Add(SetupOpCode.Mknod, $"create device {d.Path}", s1: dest, a: type | mode, b: dev, c: (d.Uid ?? 0) | ((long)(d.Gid ?? 0) << 32));
        }

        string devDir = rootfs + "/dev";
        foreach (var (name, target) in new[] { ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2") })
        {
            prog.Add(SetupOpCode.Symlink, $"link /dev/{name}", s1: target, s2: $"{devDir}/{name}");
        }

        if (File.Exists("/proc/kcore"))
        {
            prog.Add(SetupOpCode.Symlink, "link /dev/core", s1: "/proc/kcore", s2: $"{devDir}/core");
        }

        if (hasDevpts)
        {
            prog.Add(SetupOpCode.Symlink, "link /dev/ptmx", s1: "pts/ptmx", s2: $"{devDir}/ptmx", a: 1);
        }
    }

    private static void PlanHooks(SetupProgram prog, string phase, IReadOnlyList<Hook>? hooks)
    {
        foreach (var h in hooks ?? [])
        {
            prog.Add(SetupOpCode.RunHook, $"{phase} hook {h.Path}", s1: h.Path,
                a: prog.StringArray(h.Args is { Count: > 0 } a ? a : [h.Path]), b: prog.StringArray(h.Env ?? []), c: (h.Timeout ?? 0) * 1000L);
        }
    }

    private static void PlanSwitchRoot(SetupProgram prog, string rootfs, bool noPivot)
    {
        prog.Add(SetupOpCode.Chdir, $"enter {rootfs}", s1: rootfs);
        if (noPivot)
        {
            prog.Add(SetupOpCode.Mount, "move the rootfs to /", s1: rootfs, s2: "/", a: (long)Mounts.MS_MOVE);
            prog.Add(SetupOpCode.Chroot, "chroot", s1: ".");
        }
        else
        {
            prog.Add(SetupOpCode.PivotRoot, "pivot_root", s1: ".", s2: ".");
            // The old root is stacked under "."; detach it without propagating the unmount to the host.
            prog.Add(SetupOpCode.Mount, "make the old root a slave", s2: ".", a: (long)(Mounts.MS_SLAVE | Mounts.MS_REC));
            prog.Add(SetupOpCode.Unmount, "detach the old root", s1: ".", a: Mounts.MNT_DETACH);
        }

        prog.Add(SetupOpCode.Chdir, "enter /", s1: "/");
    }
}
