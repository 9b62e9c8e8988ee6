using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Archive;

/// <summary>One layer of an image found in an archive: the descriptor it will have in the store and the file
/// holding its blob.</summary>
public sealed record ArchiveLayer(Descriptor Descriptor, Digest Digest, Digest DiffId, string FilePath);

/// <summary>An image found in an archive, every blob checked: the manifest (as stored, with its digest), the config,
/// its layers and the names it is to be tagged with (full name:tag).</summary>
public sealed record ArchiveImage(
    byte[] ManifestBytes,
    Digest ManifestDigest,
    ImageManifest Manifest,
    byte[] ConfigBytes,
    Digest ConfigDigest,
    ImageConfig Config,
    IReadOnlyList<ArchiveLayer> Layers,
    IReadOnlyList<string> Tags);
