namespace MyRuntime.Oci.ImageSpec;

/// <summary>An OCI image index or a Docker manifest list: manifests, one per platform.</summary>
public sealed class ImageIndex
{
    public int SchemaVersion { get; set; }

    public string? MediaType { get; set; }

    public List<Descriptor> Manifests { get; set; } = [];

    public Dictionary<string, string>? Annotations { get; set; }
}
