using System.Text.Json.Serialization;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Store;

/// <summary>What <c>image inspect</c> shows of an image: its record and the run settings of its config.</summary>
public sealed class ImageInspect
{
    public string Id { get; set; } = "";

    public List<string> RepoTags { get; set; } = [];

    public List<string> RepoDigests { get; set; } = [];

    public DateTimeOffset? Created { get; set; }

    public string Architecture { get; set; } = "";

    public string? Variant { get; set; }

    public string Os { get; set; } = "";

    public long Size { get; set; }

    public ContainerConfig? Config { get; set; }

    [JsonPropertyName("RootFS")]
    public InspectRootFs RootFs { get; set; } = new();

    public string ManifestDigest { get; set; } = "";

    public string MediaType { get; set; } = "";

    public List<Descriptor> Layers { get; set; } = [];

    public static ImageInspect From(ImageRecord r, ImageConfig? config) => new()
    {
        Id = r.Id,
        RepoTags = r.RepoTags,
        RepoDigests = r.RepoDigests,
        Created = r.Created,
        Architecture = r.Architecture,
        Variant = r.Variant,
        Os = r.Os,
        Size = r.Size,
        Config = config?.Config,
        RootFs = new InspectRootFs { Layers = r.DiffIds },
        ManifestDigest = r.ManifestDigest,
        MediaType = r.MediaType,
        Layers = r.Layers,
    };
}

/// <summary>The RootFS section of <see cref="ImageInspect"/>.</summary>
public sealed class InspectRootFs
{
    public string Type { get; set; } = "layers";

    public List<string> Layers { get; set; } = [];
}
