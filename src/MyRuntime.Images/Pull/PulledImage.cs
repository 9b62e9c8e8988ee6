using MyRuntime.Images.Reference;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Pull;

/// <summary>One layer of a pulled image: its descriptor, its compressed digest, the diff id the config gives it,
/// and where its verified blob is in the store.</summary>
public sealed record PulledLayer(Descriptor Descriptor, Digest Digest, Digest DiffId, string BlobPath);

/// <summary>An image whose blobs are all in the store and verified: what layer unpacking gets.</summary>
public sealed record PulledImage(
    ImageReference Reference,
    Digest ManifestDigest,
    ImageManifest Manifest,
    Digest ConfigDigest,
    ImageConfig Config,
    IReadOnlyList<PulledLayer> Layers);

/// <summary>The unpacking step of a pull: called once every blob is in the store and before the image's record is
/// written, so an image is listed only when its layers are ready. An exception fails the pull.</summary>
public interface ILayerUnpacker
{
    Task UnpackAsync(PulledImage image, IPullProgress progress, CancellationToken ct);
}
