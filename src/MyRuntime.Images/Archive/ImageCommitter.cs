using MyRuntime.Images.Pull;
using MyRuntime.Images.Reference;
using MyRuntime.Images.Store;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Archive;

/// <summary>Puts a checked <see cref="ArchiveImage"/> into the store as a pull does: the layer blobs, the config and
/// the manifest (last) through <see cref="BlobStore"/>, then the unpack hook, then the record and its tags through
/// <see cref="ImageStore"/>. The caller holds the store lock shared.</summary>
internal sealed class ImageCommitter
{
    private readonly ImageStore store;
    private readonly ILayerUnpacker? unpacker;

    public ImageCommitter(ImageStore store, ILayerUnpacker? unpacker)
    {
        this.store = store;
        this.unpacker = unpacker;
    }

    /// <summary>Stores the image. Layer files are moved into the store when they are tmp/ files the caller lets go
    /// of (<paramref name="moveLayers"/>), copied otherwise.</summary>
    public async Task<ImageRecord> CommitAsync(ArchiveImage image, bool moveLayers, IPullProgress progress, CancellationToken ct)
    {
        var blobs = store.Blobs;
        foreach (var layer in image.Layers.DistinctBy(l => l.Digest))
        {
            if (blobs.Contains(layer.Digest))
            {
                continue;
            }

            string temp = blobs.NewTemp("blob");
            try
            {
                if (moveLayers)
                {
                    File.Move(layer.FilePath, temp);
                }
                else
                {
                    File.Copy(layer.FilePath, temp);
                }

                using (var fs = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite))
                {
                    fs.Flush(flushToDisk: true);
                }

                blobs.Commit(temp, layer.Digest, layer.Digest);
            }
            finally
            {
                File.Delete(temp);
            }
        }

        blobs.Write(image.ConfigDigest, image.ConfigBytes);
        blobs.Write(image.ManifestDigest, image.ManifestBytes);

        if (unpacker is not null)
        {
            var pulledLayers = image.Layers.Select(l => new PulledLayer(l.Descriptor, l.Digest, l.DiffId, blobs.PathOf(l.Digest))).ToList();
            await unpacker.UnpackAsync(new PulledImage(ReferenceOf(image), image.ManifestDigest, image.Manifest, image.ConfigDigest, image.Config, pulledLayers),
                progress, ct).ConfigureAwait(false);
        }

        var record = new ImageRecord
        {
            Id = image.ConfigDigest.ToString(),
            ManifestDigest = image.ManifestDigest.ToString(),
            ConfigDigest = image.ConfigDigest.ToString(),
            MediaType = image.Manifest.MediaType ?? MediaTypes.OciManifest,
            Layers = image.Manifest.Layers,
            DiffIds = image.Layers.Select(l => l.DiffId.ToString()).ToList(),
            Created = image.Config.Created,
            Pulled = DateTimeOffset.UtcNow,
            Os = image.Config.Os,
            Architecture = image.Config.Architecture,
            Variant = image.Config.Variant,
            Size = image.Manifest.Layers.Sum(l => l.Size) + image.ConfigBytes.LongLength + image.ManifestBytes.LongLength,
        };
        if (image.Tags.Count == 0)
        {
            return store.Save(record, null, null);
        }

        foreach (string tag in image.Tags)
        {
            record = store.Save(record, tag, null);
        }

        return record;
    }

    /// <summary>What the unpack hook is told the image is: its first name, or for an untagged image
    /// <c>localhost/untagged@MANIFEST-DIGEST</c>.</summary>
    private static ImageReference ReferenceOf(ArchiveImage image) => image.Tags.Count > 0
        ? ImageReference.Parse(image.Tags[0])
        : ImageReference.Parse($"localhost/untagged@{image.ManifestDigest}");
}
