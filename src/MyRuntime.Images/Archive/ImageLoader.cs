using MyRuntime.Images.Pull;
using MyRuntime.Images.Registry;
using MyRuntime.Images.Store;

namespace MyRuntime.Images.Archive;

/// <summary>What <c>load</c> stored: the image's record and the line to show (<c>Loaded image: NAME:TAG</c> per
/// tag, or <c>Loaded image ID: sha256:…</c>).</summary>
public sealed record LoadedImage(ImageRecord Record, IReadOnlyList<string> Lines);

/// <summary><c>load</c>: images from a docker-archive, an OCI layout tar or the two in one (what Docker 25+ writes),
/// plain, gzip or zstd. The tar is spooled to tmp/ in one pass; every image in it is checked (paths, blob digests and
/// sizes, diff ids) before anything is stored, so a bad archive leaves the store as it was.</summary>
public sealed class ImageLoader
{
    private readonly ImageStore store;
    private readonly ILayerUnpacker? unpacker;

    public ImageLoader(StoreLayout layout, ILayerUnpacker? unpacker = null)
    {
        store = new ImageStore(layout);
        this.unpacker = unpacker;
    }

    public async Task<List<LoadedImage>> LoadAsync(Stream archive, PlatformSelector platform, IPullProgress progress, CancellationToken ct)
    {
        var layout = store.Layout;
        Directory.CreateDirectory(layout.Root);
        using var storeLock = StoreLock.Shared(layout, StoreLock.Store);
        store.Blobs.RemoveStaleTemps();
        using var spool = SpooledArchive.Read(archive, layout);
        List<ArchiveImage> images = OciLayoutReader.IsLayout(spool) ? OciLayoutReader.Read(spool, platform)
            : spool.Find(DockerArchiveReader.ManifestFile) is not null ? DockerArchiveReader.Read(spool)
            : throw new ImagesException("not an image archive: it has neither manifest.json nor an OCI layout (oci-layout, index.json)");

        var committer = new ImageCommitter(store, unpacker);
        var loaded = new List<LoadedImage>();
        foreach (var image in images)
        {
            var record = await committer.CommitAsync(image, moveLayers: true, progress, ct).ConfigureAwait(false);
            var lines = image.Tags.Count > 0
                ? image.Tags.Select(t => $"Loaded image: {Familiar(t)}").ToList()
                : [$"Loaded image ID: {record.Id}"];
            loaded.Add(new LoadedImage(record, lines));
        }

        return loaded;
    }

    private static string Familiar(string taggedName) => Reference.ImageReference.Parse(taggedName).Familiar;
}
