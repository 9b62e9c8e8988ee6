namespace MyRuntime.Oci.ImageSpec;

/// <summary>An OCI image manifest or a Docker schema 2 manifest: a config and the layers, lowest first.</summary>
public sealed class ImageManifest
{
    public int SchemaVersion { get; set; }

    public string? MediaType { get; set; }

    public string? ArtifactType { get; set; }

    public Descriptor Config { get; set; } = new();

    public List<Descriptor> Layers { get; set; } = [];

    public Descriptor? Subject { get; set; }

    public Dictionary<string, string>? Annotations { get; set; }
}
