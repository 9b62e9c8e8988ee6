namespace MyRuntime.Linux.Spawn;

/// <summary>Identity, limits and capabilities the spawned child applies to itself right before execve.</summary>
public sealed class ProcessSettings
{
    public uint Uid { get; init; }

    public uint Gid { get; init; }

    public IReadOnlyList<uint> Groups { get; init; } = [];

    /// <summary>(resource number, soft, hard) triples.</summary>
    public IReadOnlyList<(int Resource, ulong Soft, ulong Hard)> Rlimits { get; init; } = [];

    public int? OomScoreAdj { get; init; }

    /// <summary>Capability masks; null leaves the capabilities as they are.</summary>
    public CapabilitySets? Capabilities { get; init; }

    public uint? Umask { get; init; }

    public string? Cwd { get; init; }

    public bool NoNewPrivileges { get; init; }

    /// <summary>Descriptors from this number up are closed at execve.</summary>
    public int CloseFrom { get; init; } = 3;

    /// <summary>personality(2) persona; null leaves it as it is.</summary>
    public int? Personality { get; init; }

    /// <summary>sched_setattr(2) settings; null leaves the scheduling as it is.</summary>
    public SchedulerSettings? Scheduler { get; init; }

    /// <summary>ioprio_set(2) value (class &lt;&lt; 13 | level); null leaves it as it is.</summary>
    public int? IoPriority { get; init; }

    /// <summary>CPUs the process runs on before it is placed in its cgroup (set by the parent); null: unchanged.</summary>
    public IReadOnlyList<int>? InitialCpus { get; init; }

    /// <summary>CPUs the process runs on from right before execve; null: as the cgroup left it.</summary>
    public IReadOnlyList<int>? FinalCpus { get; init; }

    /// <summary>The seccomp filter loaded before execve: right before it when <see cref="NoNewPrivileges"/> is set,
    /// else before the capabilities are dropped (loading needs CAP_SYS_ADMIN then); null: none.</summary>
    public SeccompFilter? Seccomp { get; init; }
}

/// <summary>The fields of struct sched_attr.</summary>
public sealed record SchedulerSettings(uint Policy, ulong Flags, int Nice, uint Priority, ulong Runtime, ulong Deadline, ulong Period);

public sealed record CapabilitySets(ulong Bounding, ulong Effective, ulong Permitted, ulong Inheritable, ulong Ambient);

/// <summary>A classic BPF seccomp program: each instruction is a struct sock_filter packed little-endian into a
/// word (code | jt &lt;&lt; 16 | jf &lt;&lt; 24 | k &lt;&lt; 32); Flags are SECCOMP_FILTER_FLAG_* for seccomp(2).</summary>
public sealed record SeccompFilter(ulong[] Instructions, uint Flags);
