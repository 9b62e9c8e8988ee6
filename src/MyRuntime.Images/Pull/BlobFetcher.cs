using MyRuntime.Images.Registry;
using MyRuntime.Images.Store;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Pull;

/// <summary>Downloads a blob into the store: streamed to a tmp/ file while hashed, size and digest checked,
/// fsynced, renamed into blobs/. Transient failures start it again; a mismatch is an error and leaves nothing.</summary>
public sealed class BlobFetcher
{
    /// <summary>How long a download may receive nothing before it counts as stalled.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);
    private readonly BlobStore blobs;

    public BlobFetcher(BlobStore blobs)
    {
        this.blobs = blobs;
    }

    public async Task FetchAsync(RegistryClient client, string repository, Descriptor descriptor, Action<long, long>? progress, CancellationToken ct)
    {
        var digest = Digest.Parse(descriptor.Digest, "blob digest");
        await Retry.RunAsync(async _ =>
        {
            string temp = blobs.NewTemp("blob");
            try
            {
                var actual = await DownloadAsync(client, repository, descriptor, digest, temp, progress, ct).ConfigureAwait(false);
                blobs.Commit(temp, digest, actual);
            }
            finally
            {
                File.Delete(temp);
            }

            return true;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>A small blob (a config) verified but kept out of the store: the caller stores it when the rest of
    /// the image is there.</summary>
    public async Task<byte[]> FetchBytesAsync(RegistryClient client, string repository, Descriptor descriptor, CancellationToken ct)
    {
        var digest = Digest.Parse(descriptor.Digest, "blob digest");
        if (descriptor.Size > RegistryClient.MaxManifestBytes * 4L)
        {
            throw new ImagesException($"blob {digest} is too large for a config ({descriptor.Size} bytes)");
        }

        return await Retry.RunAsync(async _ =>
        {
            string temp = blobs.NewTemp("config");
            try
            {
                var actual = await DownloadAsync(client, repository, descriptor, digest, temp, null, ct).ConfigureAwait(false);
                if (actual != digest)
                {
                    throw new ImagesException($"blob {digest}: the content has digest {actual} (corrupt or tampered download)");
                }

                return await File.ReadAllBytesAsync(temp, ct).ConfigureAwait(false);
            }
            finally
            {
                File.Delete(temp);
            }
        }, ct).ConfigureAwait(false);
    }

    private async Task<Digest> DownloadAsync(RegistryClient client, string repository, Descriptor descriptor, Digest digest, string temp,
        Action<long, long>? progress, CancellationToken ct)
    {
        using var resp = await client.GetBlobAsync(repository, digest, ct).ConfigureAwait(false);
        if (resp.Content.Headers.ContentLength is long length && length != descriptor.Size)
        {
            throw new ImagesException($"blob {digest}: the registry sends {length} bytes where the manifest says {descriptor.Size}");
        }

        using var hasher = BlobStore.HasherFor(digest);
        long total = 0;
        using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        using (var body = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false))
        using (var idle = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            byte[] buffer = new byte[1 << 17];
            while (true)
            {
                idle.CancelAfter(IdleTimeout);
                int n;
                try
                {
                    n = await body.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new TransientRegistryException($"blob {digest}: no data for {IdleTimeout.TotalSeconds:F0}s");
                }

                if (n == 0)
                {
                    break;
                }

                total += n;
                if (total > descriptor.Size)
                {
                    throw new ImagesException($"blob {digest}: the registry sent more than the {descriptor.Size} bytes the manifest says");
                }

                hasher.AppendData(buffer, 0, n);
                await file.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                progress?.Invoke(total, descriptor.Size);
            }

            file.Flush(flushToDisk: true);
        }

        if (total != descriptor.Size)
        {
            throw new ImagesException($"blob {digest}: received {total} bytes where the manifest says {descriptor.Size}");
        }

        return BlobStore.DigestFrom(digest, hasher.GetHashAndReset());
    }
}
