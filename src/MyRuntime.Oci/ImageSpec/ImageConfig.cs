using System.Text.Json.Serialization;

namespace MyRuntime.Oci.ImageSpec;

/// <summary>An image's configuration blob (image-spec config.md): how to run it and the diff ids of its layers.</summary>
public sealed class ImageConfig
{
    public DateTimeOffset? Created { get; set; }

    public string? Author { get; set; }

    public string Architecture { get; set; } = "";

    public string Os { get; set; } = "";

    public string? Variant { get; set; }

    public ContainerConfig? Config { get; set; }

    public RootFs Rootfs { get; set; } = new();

    public List<HistoryEntry>? History { get; set; }
}

/// <summary>The execution parameters an image gives its containers. The keys are capitalised, as the spec writes them.</summary>
public sealed class ContainerConfig
{
    [JsonPropertyName("User")]
    public string? User { get; set; }

    [JsonPropertyName("ExposedPorts")]
    public Dictionary<string, EmptyObject>? ExposedPorts { get; set; }

    [JsonPropertyName("Env")]
    public List<string>? Env { get; set; }

    [JsonPropertyName("Entrypoint")]
    public List<string>? Entrypoint { get; set; }

    [JsonPropertyName("Cmd")]
    public List<string>? Cmd { get; set; }

    [JsonPropertyName("Volumes")]
    public Dictionary<string, EmptyObject>? Volumes { get; set; }

    [JsonPropertyName("WorkingDir")]
    public string? WorkingDir { get; set; }

    [JsonPropertyName("Labels")]
    public Dictionary<string, string>? Labels { get; set; }

    [JsonPropertyName("StopSignal")]
    public string? StopSignal { get; set; }

    [JsonPropertyName("ArgsEscaped")]
    public bool? ArgsEscaped { get; set; }
}

/// <summary>The layers' uncompressed digests, lowest first.</summary>
public sealed class RootFs
{
    public string Type { get; set; } = "layers";

    [JsonPropertyName("diff_ids")]
    public List<string> DiffIds { get; set; } = [];
}

/// <summary>How one layer was made.</summary>
public sealed class HistoryEntry
{
    public DateTimeOffset? Created { get; set; }

    [JsonPropertyName("created_by")]
    public string? CreatedBy { get; set; }

    public string? Author { get; set; }

    public string? Comment { get; set; }

    [JsonPropertyName("empty_layer")]
    public bool? EmptyLayer { get; set; }
}

/// <summary>The <c>{}</c> that sets such as ExposedPorts and Volumes map their keys to.</summary>
public sealed class EmptyObject
{
}
