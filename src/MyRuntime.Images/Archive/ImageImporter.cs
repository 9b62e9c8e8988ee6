using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using MyRuntime.Images.Content;
using MyRuntime.Images.Pull;
using MyRuntime.Images.Store;
using MyRuntime.Oci;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Archive;

/// <summary><c>import</c>: a rootfs tarball (plain, gzip or zstd) as a one-layer image. The tar is read once: checked
/// to be a tar, hashed (the diff id) and gzip-compressed into a tmp/ file that becomes the layer blob; a config
/// (linux/amd64, created now, the diff id, a history entry) and an OCI manifest are made for it.</summary>
public sealed class ImageImporter
{
    private readonly ImageStore store;
    private readonly ILayerUnpacker? unpacker;

    public ImageImporter(StoreLayout layout, ILayerUnpacker? unpacker = null)
    {
        store = new ImageStore(layout);
        this.unpacker = unpacker;
    }

    /// <summary>Imports <paramref name="tarball"/>; <paramref name="name"/> is REPOSITORY[:TAG] or null,
    /// <paramref name="source"/> what the history says it was imported from.</summary>
    public async Task<ImageRecord> ImportAsync(Stream tarball, string? name, string source, IPullProgress progress, CancellationToken ct, IReadOnlyList<string>? changes = null)
    {
        var containerConfig = ImportChanges.Apply(changes ?? []);
        string? tag = name is null ? null : ImageChecks.TaggedName(name, "import");
        var layout = store.Layout;
        Directory.CreateDirectory(layout.Root);
        using var storeLock = StoreLock.Shared(layout, StoreLock.Store);
        store.Blobs.RemoveStaleTemps();
        string temp = store.Blobs.NewTemp("import");
        try
        {
            var diff = Compress(tarball, temp);
            Digest blobDigest;
            long blobSize;
            using (var blob = File.OpenRead(temp))
            {
                blobDigest = Digest.Sha256(await SHA256.HashDataAsync(blob, ct).ConfigureAwait(false));
                blobSize = blob.Length;
            }

            var now = DateTimeOffset.UtcNow;
            var config = new ImageConfig
            {
                Created = now,
                Architecture = "amd64",
                Os = "linux",
                Config = containerConfig,
                Rootfs = new RootFs { DiffIds = [diff.DiffId.ToString()] },
                History = [new HistoryEntry { Created = now, CreatedBy = "myruntime import", Comment = $"Imported from {source}" }],
            };
            byte[] configBytes = JsonSerializer.SerializeToUtf8Bytes(config, OciJson.Default.ImageConfig);
            var configDigest = Digest.Sha256(SHA256.HashData(configBytes));
            var layer = new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = blobDigest.ToString(), Size = blobSize };
            var manifest = new ImageManifest
            {
                SchemaVersion = 2,
                MediaType = MediaTypes.OciManifest,
                Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = configDigest.ToString(), Size = configBytes.LongLength },
                Layers = [layer],
            };
            byte[] manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, OciJson.Default.ImageManifest);
            var image = new ArchiveImage(manifestBytes, Digest.Sha256(SHA256.HashData(manifestBytes)), manifest, configBytes, configDigest, config,
                [new ArchiveLayer(layer, blobDigest, diff.DiffId, temp)], tag is null ? [] : [tag]);
            return await new ImageCommitter(store, unpacker).CommitAsync(image, moveLayers: true, progress, ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Reads the tarball through a tar reader (so that what is not a tar is refused) while its uncompressed
    /// bytes are hashed and gzipped into <paramref name="blobPath"/>.</summary>
    private static LayerDiff Compress(Stream tarball, string blobPath)
    {
        try
        {
            using var file = new FileStream(blobPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            byte[] hash;
            long size;
            int entries = 0;
            using (var gzip = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true))
            using (var tar = CompressedStreams.Decompress(tarball, leaveOpen: true))
            using (var tee = new TeeReadStream(tar, gzip))
            {
                using (var reader = new TarReader(tee, leaveOpen: true))
                {
                    while (reader.GetNextEntry(copyData: false) is not null)
                    {
                        entries++;
                    }
                }

                tee.Drain();
                hash = tee.Hash();
                size = tee.Count;
            }

            if (entries == 0)
            {
                throw new ImagesException("import: the tarball holds no files");
            }

            file.Flush(flushToDisk: true);
            return new LayerDiff(Digest.Sha256(hash), size);
        }
        catch (Exception e) when (CompressedStreams.IsCorruptContent(e))
        {
            throw new ImagesException($"import: not a tar archive: {e.Message}", e);
        }
    }
}
