using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Container;

/// <summary>What the runtime keeps about one container in ROOT/ID/state.json.</summary>
public sealed class ContainerState
{
    public string Id { get; set; } = string.Empty;

    public int Pid { get; set; }

    /// <summary>The init process's start time from /proc/PID/stat, so that a reused pid is not taken for it.</summary>
    public ulong PidStartTime { get; set; }

    public string Bundle { get; set; } = string.Empty;

    public string Rootfs { get; set; } = string.Empty;

    public DateTime Created { get; set; }

    public uint Owner { get; set; }

    public Spec Config { get; set; } = new();

    /// <summary>The container's cgroup directories by hierarchy (see <see cref="Cgroups.ICgroup.Dirs"/>).</summary>
    public Dictionary<string, string>? Cgroup { get; set; }

    /// <summary>Directories above the cgroup that create made, deepest first; delete removes them when empty.</summary>
    public List<string>? CgroupParents { get; set; }

    /// <summary>The spec's State view of this container with the given status.</summary>
    public State ToOciState(string status) => new()
    {
        Id = Id,
        Status = status,
        Pid = status == ContainerStatus.Stopped ? 0 : Pid,
        Bundle = Bundle,
        Annotations = Config.Annotations,
    };
}

public static class ContainerStatus
{
    public const string Creating = "creating";
    public const string Created = "created";
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Stopped = "stopped";
}
