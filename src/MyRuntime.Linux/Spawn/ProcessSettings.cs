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
}

public sealed record CapabilitySets(ulong Bounding, ulong Effective, ulong Permitted, ulong Inheritable, ulong Ambient);
