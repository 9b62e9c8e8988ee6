using System.Text.Json;
using System.Text.Json.Serialization;

namespace MyRuntime.Oci.RuntimeSpec;

/// <summary>config.json of an OCI bundle (runtime-spec 1.x). Fields this runtime does not interpret are kept
/// as raw JSON so that a round trip loses nothing.</summary>
public sealed class Spec
{
    public string? OciVersion { get; set; }

    public Process? Process { get; set; }

    public Root? Root { get; set; }

    public string? Hostname { get; set; }

    public string? Domainname { get; set; }

    public List<Mount>? Mounts { get; set; }

    public Hooks? Hooks { get; set; }

    public Dictionary<string, string>? Annotations { get; set; }

    public LinuxSection? Linux { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class Root
{
    public string Path { get; set; } = string.Empty;

    public bool Readonly { get; set; }
}

public sealed class Mount
{
    public string Destination { get; set; } = string.Empty;

    public string? Type { get; set; }

    public string? Source { get; set; }

    public List<string>? Options { get; set; }

    public List<IdMapping>? UidMappings { get; set; }

    public List<IdMapping>? GidMappings { get; set; }
}

public sealed class Hooks
{
    public List<Hook>? Prestart { get; set; }

    public List<Hook>? CreateRuntime { get; set; }

    public List<Hook>? CreateContainer { get; set; }

    public List<Hook>? StartContainer { get; set; }

    public List<Hook>? Poststart { get; set; }

    public List<Hook>? Poststop { get; set; }
}

public sealed class Hook
{
    public string Path { get; set; } = string.Empty;

    public List<string>? Args { get; set; }

    public List<string>? Env { get; set; }

    public int? Timeout { get; set; }
}
