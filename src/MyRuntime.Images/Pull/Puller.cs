using System.Text.Json;
using MyRuntime.Images.Reference;
using MyRuntime.Images.Registry;
using MyRuntime.Images.Store;
using MyRuntime.Oci;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Pull;

/// <summary>The outcome of a pull: the image's record and the status line shown last.</summary>
public sealed record PullResult(ImageRecord Record, ImageReference Reference, bool Downloaded, string Status);

/// <summary>A pull: resolve the reference to a manifest (choosing the platform in an index), fetch the config,
/// fetch the layers (3 at a time, those already in the store skipped), [unpack], then write the image's record.
/// The store's lock is held shared throughout, so no rmi removes blobs from under it.</summary>
public sealed class Puller
{
    public const int ParallelDownloads = 3;

    private readonly ImageStore store;
    private readonly CredentialStore credentials;
    private readonly TokenCache tokens = new();
    private readonly ILayerUnpacker? unpacker;

    public Puller(StoreLayout layout, CredentialStore credentials, ILayerUnpacker? unpacker = null)
    {
        store = new ImageStore(layout);
        this.credentials = credentials;
        this.unpacker = unpacker;
    }

    public async Task<PullResult> PullAsync(ImageReference reference, PlatformSelector platform, IPullProgress progress, CancellationToken ct)
    {
        var layout = store.Layout;
        Directory.CreateDirectory(layout.Root);
        using var storeLock = StoreLock.Shared(layout, StoreLock.Store);
        store.Blobs.RemoveStaleTemps();
        using var client = new RegistryClient(reference.Registry, reference.ApiHost, credentials.Find(reference.Registry), tokens);
        string repo = reference.Repository;
        string tagOrDigest = reference.Digest?.ToString() ?? reference.Tag!;
        progress.Status($"{tagOrDigest}: Pulling from {(reference.Registry == ImageReference.DockerHub ? repo : reference.Name)}");

        var top = await client.GetManifestAsync(repo, tagOrDigest, reference.Familiar, ct).ConfigureAwait(false);
        var manifestDoc = top;
        if (top.Index is { } index)
        {
            var chosen = platform.Select(index, reference.Familiar);
            manifestDoc = await client.GetManifestAsync(repo, chosen.Digest, $"{reference.Name}@{chosen.Digest}", ct).ConfigureAwait(false);
        }

        var manifest = manifestDoc.Manifest ?? throw new ImagesException($"{reference.Familiar}: the index points to another index, which is not supported");
        foreach (var layer in manifest.Layers.Where(l => !MediaTypes.IsLayer(l.MediaType)))
        {
            throw new ImagesException($"{reference.Familiar}: layer {layer.Digest} has a media type not supported: \"{layer.MediaType}\"");
        }

        var fetcher = new BlobFetcher(store.Blobs);
        var configDigest = Digest.Parse(manifest.Config.Digest, "config digest");
        bool downloaded = !store.Blobs.Contains(configDigest);
        byte[] configBytes = downloaded
            ? await fetcher.FetchBytesAsync(client, repo, manifest.Config, ct).ConfigureAwait(false)
            : store.Blobs.Read(configDigest);
        var config = ReadConfig(configBytes, configDigest, reference);
        var diffIds = CheckDiffIds(config, manifest, reference);
        downloaded |= await FetchLayersAsync(client, repo, fetcher, manifest.Layers, progress, ct).ConfigureAwait(false);

        // Config and manifests last among the blobs: stored, they mean the layers came before them.
        store.Blobs.Write(configDigest, configBytes);
        store.Blobs.Write(manifestDoc.Digest, manifestDoc.Bytes);
        if (!ReferenceEquals(top, manifestDoc))
        {
            store.Blobs.Write(top.Digest, top.Bytes);
        }

        var layers = manifest.Layers.Select((l, i) => new PulledLayer(l, Digest.Parse(l.Digest), diffIds[i], store.Blobs.PathOf(Digest.Parse(l.Digest)))).ToList();

        // ---- UNPACK STEP: every blob is in the store and verified; the record is not written yet. ----
        if (unpacker is not null)
        {
            await unpacker.UnpackAsync(new PulledImage(reference, manifestDoc.Digest, manifest, configDigest, config, layers), progress, ct).ConfigureAwait(false);
        }

        var record = new ImageRecord
        {
            Id = configDigest.ToString(),
            ManifestDigest = manifestDoc.Digest.ToString(),
            IndexDigest = ReferenceEquals(top, manifestDoc) ? null : top.Digest.ToString(),
            ConfigDigest = configDigest.ToString(),
            MediaType = manifestDoc.MediaType,
            Layers = manifest.Layers,
            DiffIds = diffIds.Select(d => d.ToString()).ToList(),
            Created = config.Created,
            Pulled = DateTimeOffset.UtcNow,
            Os = config.Os,
            Architecture = config.Architecture,
            Variant = config.Variant,
            Size = manifest.Layers.Sum(l => l.Size) + manifest.Config.Size + manifestDoc.Bytes.LongLength,
        };
        string? tag = reference.Digest is null ? reference.TaggedName : null;
        bool upToDate = !downloaded && tag is not null && store.Tags().TryGetValue(tag, out string? had) && had == record.Id;
        store.Save(record, tag, $"{reference.Name}@{top.Digest}");
        string status = upToDate ? $"Status: Image is up to date for {reference.Familiar}" : $"Status: Downloaded newer image for {reference.Familiar}";
        progress.Status($"Digest: {top.Digest}");
        progress.Status(status);
        return new PullResult(record, reference, downloaded, status);
    }

    private static ImageConfig ReadConfig(byte[] bytes, Digest configDigest, ImageReference reference)
    {
        try
        {
            return Archive.ImageChecks.CheckConfig(JsonSerializer.Deserialize(bytes, OciJson.Default.ImageConfig)
                ?? throw new ImagesException($"{reference.Familiar}: the image config is null"), $"{reference.Familiar}: image config {configDigest}");
        }
        catch (JsonException e)
        {
            throw new ImagesException($"{reference.Familiar}: invalid image config {configDigest}: {e.Message}");
        }
    }

    private static List<Digest> CheckDiffIds(ImageConfig config, ImageManifest manifest, ImageReference reference)
    {
        if (config.Rootfs.DiffIds.Count != manifest.Layers.Count)
        {
            throw new ImagesException($"{reference.Familiar}: the config lists {config.Rootfs.DiffIds.Count} diff ids for {manifest.Layers.Count} layers");
        }

        return config.Rootfs.DiffIds.Select(d => Digest.TryParse(d, out var x) ? x
            : throw new ImagesException($"{reference.Familiar}: invalid diff id \"{d}\" in the image config")).ToList();
    }

    /// <summary>The layers not yet in the store, 3 at a time; true when any was downloaded.</summary>
    private async Task<bool> FetchLayersAsync(RegistryClient client, string repo, BlobFetcher fetcher, List<Descriptor> layers,
        IPullProgress progress, CancellationToken ct)
    {
        var distinct = layers.DistinctBy(l => l.Digest).ToList();
        var missing = new List<Descriptor>();
        foreach (var layer in distinct)
        {
            string id = Digest.Parse(layer.Digest).Hex[..12];
            if (store.Blobs.Contains(Digest.Parse(layer.Digest)))
            {
                progress.Layer(id, LayerStatus.AlreadyExists, layer.Size, layer.Size);
            }
            else
            {
                progress.Layer(id, LayerStatus.PullingFsLayer, 0, layer.Size);
                missing.Add(layer);
            }
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = ParallelDownloads, CancellationToken = ct };
        await Parallel.ForEachAsync(missing, options, async (layer, token) =>
        {
            string id = Digest.Parse(layer.Digest).Hex[..12];
            await fetcher.FetchAsync(client, repo, layer, (done, total) => progress.Layer(id, LayerStatus.Downloading, done, total), token).ConfigureAwait(false);
            progress.Layer(id, LayerStatus.DownloadComplete, layer.Size, layer.Size);
        }).ConfigureAwait(false);
        return missing.Count > 0;
    }
}
