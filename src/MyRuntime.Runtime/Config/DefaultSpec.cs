using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Config;

/// <summary>The config.json that `spec` writes: runc's default, a shell in a rootfs with the usual isolation.</summary>
public static class DefaultSpec
{
    private static readonly List<string> DefaultCaps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

    public static Spec Create(bool rootless)
    {
        var spec = new Spec
        {
            OciVersion = SpecVersion.Current,
            Process = new Process
            {
                Terminal = true,
                User = new User { Uid = 0, Gid = 0 },
                Args = ["sh"],
                Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                Cwd = "/",
                Capabilities = new LinuxCapabilities
                {
                    Bounding = [.. DefaultCaps],
                    Effective = [.. DefaultCaps],
                    Permitted = [.. DefaultCaps],
                    Ambient = [.. DefaultCaps],
                },
                Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 }],
                NoNewPrivileges = true,
            },
            Root = new Root { Path = "rootfs", Readonly = true },
            Hostname = "myruntime",
            Mounts =
            [
                new Mount { Destination = "/proc", Type = "proc", Source = "proc" },
                new Mount { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
                new Mount { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
                new Mount { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
                new Mount { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
                new Mount { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
                new Mount { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["nosuid", "noexec", "nodev", "relatime", "ro"] },
            ],
            Linux = new LinuxSection
            {
                Namespaces =
                [
                    new Namespace { Type = "pid" },
                    new Namespace { Type = "network" },
                    new Namespace { Type = "ipc" },
                    new Namespace { Type = "uts" },
                    new Namespace { Type = "mount" },
                    new Namespace { Type = "cgroup" },
                ],
                MaskedPaths =
                [
                    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
                ],
                ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
                Resources = new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] },
            },
        };

        if (rootless && spec.Linux.Namespaces is { } namespaces && spec.Mounts is { } mounts)
        {
            uint uid = Linux.Credentials.GetEuid();
            namespaces.RemoveAll(n => n.Type == "network");
            namespaces.Add(new Namespace { Type = "user" });
            spec.Linux.UidMappings = [new IdMapping { ContainerId = 0, HostId = uid, Size = 1 }];
            spec.Linux.GidMappings = [new IdMapping { ContainerId = 0, HostId = uid, Size = 1 }];
            mounts.RemoveAll(m => m.Type == "cgroup");
            spec.Linux.Resources = null; // an unprivileged user cannot set up cgroups
            mounts.Find(m => m.Destination == "/dev/pts")!.Options!.Remove("gid=5");
            mounts.Find(m => m.Destination == "/sys")!.Type = "bind";
            var sys = mounts.Find(m => m.Destination == "/sys")!;
            sys.Source = "/sys";
            sys.Options = ["rbind", "nosuid", "noexec", "nodev", "ro"];
        }

        return spec;
    }
}
