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

    public LinuxBlockIO? BlockIO { get; set; }

    public List<LinuxHugepageLimit>? HugepageLimits { get; set; }

    /// <summary>The device allowlist, applied in order.</summary>
    public List<LinuxDeviceCgroup>? Devices { get; set; }

    /// <summary>RDMA limits by device name (as in rdma.max).</summary>
    public Dictionary<string, LinuxRdma>? Rdma { get; set; }

    public Dictionary<string, string>? Unified { get; set; }

    public LinuxNetwork? Network { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>A copy whose sections are the same objects (to change one section for one use).</summary>
    public LinuxResources ShallowCopy() => (LinuxResources)MemberwiseClone();
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

    public bool? UseHierarchy { get; set; }

    public bool? CheckBeforeUpdate { get; set; }
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

    public ulong? Burst { get; set; }
}

/// <summary>linux.resources.network: the net_cls class id and the net_prio priorities per interface.</summary>
public sealed class LinuxNetwork
{
    [JsonPropertyName("classID")]
    public uint? ClassId { get; set; }

    public List<LinuxInterfacePriority>? Priorities { get; set; }
}

public sealed class LinuxInterfacePriority
{
    public string Name { get; set; } = string.Empty;

    public uint Priority { get; set; }
}

public sealed class LinuxPids
{
    public long Limit { get; set; }
}

/// <summary>linux.resources.blockIO: weights and per-device throttles.</summary>
public sealed class LinuxBlockIO
{
    public ushort? Weight { get; set; }

    public ushort? LeafWeight { get; set; }

    public List<LinuxWeightDevice>? WeightDevice { get; set; }

    public List<LinuxThrottleDevice>? ThrottleReadBpsDevice { get; set; }

    public List<LinuxThrottleDevice>? ThrottleWriteBpsDevice { get; set; }

    [JsonPropertyName("throttleReadIOPSDevice")]
    public List<LinuxThrottleDevice>? ThrottleReadIOPSDevice { get; set; }

    [JsonPropertyName("throttleWriteIOPSDevice")]
    public List<LinuxThrottleDevice>? ThrottleWriteIOPSDevice { get; set; }
}

public sealed class LinuxWeightDevice
{
    public long Major { get; set; }

    public long Minor { get; set; }

    public ushort? Weight { get; set; }

    public ushort? LeafWeight { get; set; }
}

public sealed class LinuxThrottleDevice
{
    public long Major { get; set; }

    public long Minor { get; set; }

    public ulong Rate { get; set; }
}

/// <summary>One entry of linux.resources.hugepageLimits: a page size ("2MB", "1GB") and a byte limit.</summary>
public sealed class LinuxHugepageLimit
{
    public string PageSize { get; set; } = string.Empty;

    public ulong Limit { get; set; }
}

/// <summary>The RDMA limits of one device: HCA handles and objects (null is no limit).</summary>
public sealed class LinuxRdma
{
    public uint? HcaHandles { get; set; }

    public uint? HcaObjects { get; set; }
}

/// <summary>One rule of the device allowlist: allow or deny access ("rwm" subset) to devices of a type
/// ("a", "b", "c") and major/minor (null is any).</summary>
public sealed class LinuxDeviceCgroup
{
    public bool Allow { get; set; }

    public string? Type { get; set; }

    public long? Major { get; set; }

    public long? Minor { get; set; }

    public string? Access { get; set; }
}
