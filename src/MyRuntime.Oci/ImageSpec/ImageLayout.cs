namespace MyRuntime.Oci.ImageSpec;

/// <summary>The <c>oci-layout</c> file at the root of an OCI image layout directory or tar.</summary>
public sealed class ImageLayout
{
    public string ImageLayoutVersion { get; set; } = "1.0.0";
}
