using System.Net;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Registry;

/// <summary>Manifests and blobs.</summary>
public sealed partial class RegistryClient
{
    /// <summary>The most a manifest may weigh (as containerd and distribution limit it).</summary>
    public const int MaxManifestBytes = 4 * 1024 * 1024;

    /// <summary>GET /v2/NAME/manifests/REF with every manifest kind accepted; a manifest pulled by digest must
    /// hash to that digest. <paramref name="display"/> names the reference in errors.</summary>
    public async Task<ManifestDocument> GetManifestAsync(string repository, string reference, string display, CancellationToken ct)
    {
        var uri = ApiUri($"v2/{repository}/manifests/{reference}");
        bool byDigest = Digest.TryParse(reference, out var wanted);
        return await Retry.RunAsync(async _ =>
        {
            using var resp = await SendAuthorizedAsync(HttpMethod.Get, uri, PullScope(repository), MediaTypes.ManifestAccept, ct).ConfigureAwait(false);
            if (resp.StatusCode == HttpStatusCode.NotFound)
            {
                throw new ImagesException($"manifest unknown: {display} not found in registry {Registry}");
            }

            ThrowTransient(resp, $"registry {Registry}");
            if (!resp.IsSuccessStatusCode)
            {
                throw await FailureAsync(resp, $"pull {display}", ct).ConfigureAwait(false);
            }

            if (resp.Content.Headers.ContentLength > MaxManifestBytes)
            {
                throw new ImagesException($"manifest of {display} is too large ({resp.Content.Headers.ContentLength} bytes)");
            }

            byte[] bytes = await ReadLimitedAsync(resp, MaxManifestBytes, ct).ConfigureAwait(false);
            var doc = ManifestDocument.Parse(bytes, ContentType(resp), $"manifest of {display}", byDigest ? wanted.Algorithm : "sha256");
            if (byDigest && doc.Digest != wanted)
            {
                throw new ImagesException($"manifest of {display}: the registry sent content with digest {doc.Digest}, not {wanted}");
            }

            return doc;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>GET /v2/NAME/blobs/DIGEST: the response, its body not yet read (the caller disposes it). 404 and
    /// authentication failures become <see cref="ImagesException"/>s, 5xx and 429 <see cref="TransientRegistryException"/>s.</summary>
    public async Task<HttpResponseMessage> GetBlobAsync(string repository, Digest digest, CancellationToken ct)
    {
        var resp = await SendAuthorizedAsync(HttpMethod.Get, ApiUri($"v2/{repository}/blobs/{digest}"), PullScope(repository), null, ct).ConfigureAwait(false);
        try
        {
            if (resp.StatusCode == HttpStatusCode.NotFound)
            {
                throw new ImagesException($"blob unknown: {digest} not found in {Registry}/{repository}");
            }

            ThrowTransient(resp, $"registry {Registry} for blob {digest}");
            if (!resp.IsSuccessStatusCode)
            {
                throw await FailureAsync(resp, $"blob {digest} of {Registry}/{repository}", ct).ConfigureAwait(false);
            }

            return resp;
        }
        catch
        {
            resp.Dispose();
            throw;
        }
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpResponseMessage resp, int limit, CancellationToken ct)
    {
        using var stream = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var ms = new MemoryStream();
        byte[] buffer = new byte[81920];
        int n;
        while ((n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            ms.Write(buffer, 0, n);
            if (ms.Length > limit)
            {
                throw new ImagesException($"manifest is larger than {limit} bytes");
            }
        }

        return ms.ToArray();
    }
}
