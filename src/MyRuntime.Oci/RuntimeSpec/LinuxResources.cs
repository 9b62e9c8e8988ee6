using System.Text.Json;
using System.Text.Json.Serialization;

namespace MyRuntime.Oci.RuntimeSpec;

/// <summary>linux.resources: the cgroup limits of a container. Sections this runtime does not apply yet stay
/// raw in <see cref="Extra"/>.</summary>
public sealed class LinuxResources
{
    public LinuxMemory? Memory { get; set; }

    public LinuxCpu? Cpu { get; set; }

    public LinuxPids? Pids { get; set; }

    public Dictionary<string, string>? Unified { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class LinuxMemory
{
    public long? Limit { get; set; }

    public long? Reservation { get; set; }

    public long? Swap { get; set; }

    public long? Kernel { get; set; }

    public long? KernelTCP { get; set; }

    public ulong? Swappiness { get; set; }

    public bool? DisableOOMKiller { get; set; }
}

public sealed class LinuxCpu
{
    public ulong? Shares { get; set; }

    public long? Quota { get; set; }

    public ulong? Period { get; set; }

    public long? RealtimeRuntime { get; set; }

    public ulong? RealtimePeriod { get; set; }

    public string? Cpus { get; set; }

    public string? Mems { get; set; }

    public long? Idle { get; set; }
}

public sealed class LinuxPids
{
    public long Limit { get; set; }
}
