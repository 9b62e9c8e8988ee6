using System.Text.Json;
using System.Text.Json.Serialization;

namespace MyRuntime.Oci.RuntimeSpec;

/// <summary>The linux section of config.json.</summary>
public sealed class LinuxSection
{
    public List<Namespace>? Namespaces { get; set; }

    public List<IdMapping>? UidMappings { get; set; }

    public List<IdMapping>? GidMappings { get; set; }

    public List<Device>? Devices { get; set; }

    public string? CgroupsPath { get; set; }

    public LinuxResources? Resources { get; set; }

    public Dictionary<string, string>? Sysctl { get; set; }

    public string? RootfsPropagation { get; set; }

    public List<string>? MaskedPaths { get; set; }

    public List<string>? ReadonlyPaths { get; set; }

    public string? MountLabel { get; set; }

    public LinuxSeccomp? Seccomp { get; set; }

    public LinuxPersonality? Personality { get; set; }

    public JsonElement? IntelRdt { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>linux.personality: the execution domain (LINUX, LINUX32) and flags of personality(2).</summary>
public sealed class LinuxPersonality
{
    public string Domain { get; set; } = string.Empty;

    public List<string>? Flags { get; set; }
}

public sealed class Namespace
{
    public string Type { get; set; } = string.Empty;

    public string? Path { get; set; }
}

public sealed class IdMapping
{
    [JsonPropertyName("containerID")]
    public uint ContainerId { get; set; }

    [JsonPropertyName("hostID")]
    public uint HostId { get; set; }

    public uint Size { get; set; }
}

public sealed class Device
{
    public string Type { get; set; } = string.Empty;

    public string Path { get; set; } = string.Empty;

    public long Major { get; set; }

    public long Minor { get; set; }

    public uint? FileMode { get; set; }

    public uint? Uid { get; set; }

    public uint? Gid { get; set; }
}
