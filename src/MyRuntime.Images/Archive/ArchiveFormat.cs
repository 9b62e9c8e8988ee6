namespace MyRuntime.Images.Archive;

/// <summary>What <c>save</c> writes.</summary>
public enum ArchiveFormat
{
    /// <summary>What Docker 25+ writes: a tar that is an OCI image layout and a docker-archive at once, both pointing
    /// at the same uncompressed layer tars under blobs/sha256/.</summary>
    Combined,

    /// <summary>An OCI image layout tar: the manifests and blobs as they are in the store (layers compressed).</summary>
    OciArchive,

    /// <summary>A docker-archive: manifest.json, the configs and the uncompressed layer tars.</summary>
    DockerArchive,
}

/// <summary>Parsing <c>--format</c>.</summary>
public static class ArchiveFormats
{
    public static ArchiveFormat Parse(string? text) => text switch
    {
        null or "" => ArchiveFormat.Combined,
        "oci-archive" or "oci" => ArchiveFormat.OciArchive,
        "docker-archive" or "docker" => ArchiveFormat.DockerArchive,
        _ => throw new ImagesException($"unknown archive format \"{text}\": expected oci-archive or docker-archive"),
    };
}
