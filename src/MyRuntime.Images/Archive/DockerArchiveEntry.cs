using System.Text.Json.Serialization;

namespace MyRuntime.Images.Archive;

/// <summary>One image in a docker-archive's <c>manifest.json</c>: paths inside the archive to its config and its
/// layers (lowest first), and its names.</summary>
public sealed class DockerArchiveEntry
{
    [JsonPropertyName("Config")]
    public string Config { get; set; } = "";

    [JsonPropertyName("RepoTags")]
    public List<string>? RepoTags { get; set; }

    [JsonPropertyName("Layers")]
    public List<string> Layers { get; set; } = [];
}

/// <summary>Source-generated JSON for the archive formats' own files.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<DockerArchiveEntry>))]
public sealed partial class ArchiveJson : JsonSerializerContext
{
}
