namespace MyRuntime.Oci.ImageSpec;

/// <summary>A pointer to content by its digest and size (image-spec descriptor.md).</summary>
public sealed class Descriptor
{
    public string MediaType { get; set; } = "";

    public string Digest { get; set; } = "";

    public long Size { get; set; }

    public List<string>? Urls { get; set; }

    public Dictionary<string, string>? Annotations { get; set; }

    /// <summary>Only in an index: the platform the manifest it points to is for.</summary>
    public Platform? Platform { get; set; }

    public string? ArtifactType { get; set; }
}
