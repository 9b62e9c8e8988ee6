using System.Text.Json.Serialization;

namespace MyRuntime.Oci.ImageSpec;

/// <summary>The platform an image runs on (image-spec image-index.md).</summary>
public sealed class Platform
{
    public string Architecture { get; set; } = "";

    public string Os { get; set; } = "";

    [JsonPropertyName("os.version")]
    public string? OsVersion { get; set; }

    [JsonPropertyName("os.features")]
    public List<string>? OsFeatures { get; set; }

    public string? Variant { get; set; }

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
