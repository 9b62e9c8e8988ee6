using MyRuntime.Engine.Security;
using MyRuntime.Oci.ImageSpec;
using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Config;
using MyRuntime.Runtime.Security.Seccomp;

namespace MyRuntime.Engine.Bundle;

/// <summary>Turns an image's config and the flags of <c>run</c>/<c>create</c> into the config.json of the
/// container's bundle, as Docker does. The runtime adds its default devices (/dev/null, ...) and their cgroup
/// rules itself, as runc does.</summary>
public static class SpecBuilder
{
    /// <summary>The 6 MiB below which Docker refuses --memory.</summary>
    public const long MinimumMemory = 6 * 1024 * 1024;

    public static readonly IReadOnlyList<string> MaskedPaths =
    [
        "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
        "/sys/devices/virtual/powercap",
    ];

    public static readonly IReadOnlyList<string> ReadonlyPaths =
        ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    public static Spec Build(ImageConfig image, RunOptions options, string rootfs, BundleHost? host = null) =>
        Build(image.Config, options, rootfs, host);

    /// <param name="image">The image's execution parameters (null: none).</param>
    /// <param name="options">The flags.</param>
    /// <param name="rootfs">The container's root (its snapshot's merged directory); its /etc/passwd and
    /// /etc/group resolve the user.</param>
    /// <param name="host">The host's devices, environment and kernel (null: the real ones).</param>
    public static Spec Build(ContainerConfig? image, RunOptions options, string rootfs, BundleHost? host = null)
    {
        host ??= BundleHost.Default;
        var spec = DefaultSpec.Create(rootless: false);
        var process = spec.Process!;
        var linux = spec.Linux!;

        string hostname = options.Hostname is { Length: > 0 } h ? h
            : options.Id.Length > 0 ? options.Id[..Math.Min(12, options.Id.Length)]
            : throw new EngineException("a container needs an id or a hostname");
        spec.Hostname = hostname;
        spec.Root = new Root { Path = rootfs, Readonly = options.ReadOnly };

        process.Terminal = options.Tty;
        process.Args = Arguments(image, options);
        process.Env = EnvironmentBuilder.Build(image?.Env, options, hostname, host.GetEnv);
        process.Cwd = WorkingDir(image, options);
        var user = UserResolver.Resolve(options.User ?? image?.User, rootfs);
        process.User = new User
        {
            Uid = user.Uid,
            Gid = user.Gid,
            AdditionalGids = user.AdditionalGids.Count > 0 ? [.. user.AdditionalGids] : null,
        };
        var caps = DockerCapabilities.Compute(options.CapAdd, options.CapDrop, options.Privileged, host.LastCap(), host.BoundingSet());
        process.Capabilities = new LinuxCapabilities { Bounding = [.. caps], Effective = [.. caps], Permitted = [.. caps] };
        process.Rlimits = null;
        var security = SecurityOptions.Parse(options.SecurityOpt);
        process.NoNewPrivileges = security.NoNewPrivileges;
        linux.Seccomp = Seccomp(security, options.Privileged, caps);

        switch (options.PidMode)
        {
            case "":
                break;
            case "host":
                linux.Namespaces!.RemoveAll(n => n.Type == "pid");
                break;
            default:
                throw new EngineException($"invalid --pid \"{options.PidMode}\": want host");
        }

        spec.Mounts = Mounts(spec.Mounts!, options);
        linux.MaskedPaths = options.Privileged ? null : [.. MaskedPaths];
        linux.ReadonlyPaths = options.Privileged ? null : [.. ReadonlyPaths];
        linux.Resources = Resources(options);
        AddDevices(linux, options, host);
        return spec;
    }

    /// <summary>Docker's choice: none when privileged or unconfined, else the given profile or the default one for
    /// the container's capabilities; checked here, so a bad profile fails before anything is made.</summary>
    private static LinuxSeccomp? Seccomp(SecurityOptions security, bool privileged, IReadOnlyCollection<string> caps)
    {
        if (privileged || security.SeccompUnconfined)
        {
            return null;
        }

        var profile = security.SeccompProfile is { } path ? SeccompProfileFile.Load(path, caps) : DefaultSeccompProfile.For(caps);
        try
        {
            SeccompCompiler.Compile(profile);
        }
        catch (RuntimeException e)
        {
            throw new EngineException(security.SeccompProfile is null ? e.Message : $"seccomp profile {security.SeccompProfile}: {e.Message}");
        }

        return profile;
    }

    /// <summary>Entrypoint (the override, or the image's) then Cmd (the command given, or the image's unless
    /// the entrypoint was overridden).</summary>
    public static List<string> Arguments(ContainerConfig? image, RunOptions options)
    {
        IEnumerable<string> entrypoint = options.Entrypoint is null ? image?.Entrypoint ?? []
            : options.Entrypoint.Length == 0 ? [] : [options.Entrypoint];
        IEnumerable<string> cmd = options.Command is { Count: > 0 } c ? c
            : options.Entrypoint is null ? image?.Cmd ?? [] : [];
        List<string> args = [.. entrypoint, .. cmd];
        return args.Count > 0 ? args : throw new EngineException("no command specified");
    }

    private static string WorkingDir(ContainerConfig? image, RunOptions options)
    {
        if (options.WorkingDir is { } w)
        {
            if (!w.StartsWith('/'))
            {
                throw new EngineException($"invalid --workdir '{w}': it must be an absolute path");
            }

            return Clean(w);
        }

        return image?.WorkingDir is { Length: > 0 } dir ? Clean("/" + dir) : "/";
    }

    private static string Clean(string path) => "/" + string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries));

    private static List<Mount> Mounts(List<Mount> defaults, RunOptions options)
    {
        var user = options.Binds.Select(MountFlags.ParseBind).Concat(options.Tmpfs.Select(MountFlags.ParseTmpfs)).ToList();
        var duplicate = user.GroupBy(m => m.Destination).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new EngineException($"duplicate mount point: {duplicate.Key}");
        }

        if (options.Privileged)
        {
            foreach (var m in defaults.Where(m => m.Destination is "/sys" or "/sys/fs/cgroup"))
            {
                m.Options!.Remove("ro");
                m.Options.Add("rw");
            }
        }

        var mounts = defaults.Where(d => !user.Any(u => u.Destination == d.Destination)).ToList();
        mounts.AddRange(user.OrderBy(m => m.Destination.Count(c => c == '/')));
        return mounts;
    }

    private static LinuxResources Resources(RunOptions options)
    {
        var r = new LinuxResources
        {
            Devices = options.Privileged
                ? [new LinuxDeviceCgroup { Allow = true, Access = "rwm" }]
                : [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }],
        };

        long? memory = options.Memory is { } m ? SizeParser.Parse(m, "--memory") : null;
        long? swap = options.MemorySwap is null ? null
            : options.MemorySwap.Trim() == "-1" ? -1 : SizeParser.Parse(options.MemorySwap, "--memory-swap");
        if (memory is > 0 and < MinimumMemory)
        {
            throw new EngineException("invalid --memory: the minimum memory limit is 6MB");
        }

        if (swap is > 0 && memory is null or 0)
        {
            throw new EngineException("--memory-swap needs --memory: set the memory limit too");
        }

        if (swap is > 0 && swap < memory)
        {
            throw new EngineException("invalid --memory-swap: it must be at least --memory (it counts memory plus swap)");
        }

        if (memory is > 0)
        {
            r.Memory = new LinuxMemory { Limit = memory, Swap = swap is null or 0 ? memory * 2 : swap };
        }

        if (options.Cpus is { } cpus && CpusParser.Parse(cpus) is { } q)
        {
            r.Cpu = new LinuxCpu { Quota = q.Quota, Period = q.Period };
        }

        if (options.CpuShares is { } shares and > 0)
        {
            r.Cpu ??= new LinuxCpu();
            r.Cpu.Shares = shares;
        }

        if (options.PidsLimit is { } pids and > 0)
        {
            r.Pids = new LinuxPids { Limit = pids };
        }

        return r;
    }

    private static void AddDevices(LinuxSection linux, RunOptions options, BundleHost host)
    {
        var devices = new List<Device>();
        foreach (string text in options.Devices)
        {
            var (hostPath, containerPath, permissions) = DeviceFlags.Parse(text);
            var d = host.StatDevice(hostPath) ?? throw new EngineException(
                $"invalid --device '{text}': {hostPath} is not a device node on this host");
            devices.RemoveAll(x => x.Path == containerPath);
            devices.Add(DeviceFlags.ToSpecDevice(d, containerPath));
            if (!options.Privileged)
            {
                linux.Resources!.Devices!.Add(DeviceFlags.AllowRule(d, permissions));
            }
        }

        if (options.Privileged)
        {
            foreach (var d in host.ListDevices().Where(d => !devices.Any(x => x.Path == d.Path)))
            {
                devices.Add(DeviceFlags.ToSpecDevice(d, d.Path));
            }
        }

        linux.Devices = devices.Count > 0 ? devices : null;
    }
}
