using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace MyRuntime.IntegrationTests.Infrastructure.Registry;

/// <summary>A layer to push as it is: its blob's bytes, media type and the diff id to put in the config.</summary>
public sealed record ApiLayer(byte[] Blob, string MediaType, string DiffId);

/// <summary>Pushes blobs and manifests through the registry's HTTP API (monolithic uploads), for images skopeo
/// would not push as they are (zstd or uncompressed layers, configs with wrong diff ids). No auth.</summary>
public sealed class RegistryApiPusher : IDisposable
{
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly string baseUrl;

    public RegistryApiPusher(RegistryServer registry)
    {
        baseUrl = $"http://{registry.Host}";
    }

    public static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>POST an upload, then PUT the bytes to its Location with the digest; returns the digest.</summary>
    public string PushBlob(string name, byte[] bytes)
    {
        string digest = Sha256(bytes);
        using var start = http.PostAsync($"{baseUrl}/v2/{name}/blobs/uploads/", null).GetAwaiter().GetResult();
        if ((int)start.StatusCode != 202 || start.Headers.Location is null)
        {
            throw new InvalidOperationException($"upload start for {name}: {(int)start.StatusCode} {Body(start)}");
        }

        var location = start.Headers.Location.IsAbsoluteUri ? start.Headers.Location : new Uri(new Uri(baseUrl), start.Headers.Location);
        string url = location.ToString();
        url += (location.Query.Length > 0 ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var put = http.PutAsync(url, content).GetAwaiter().GetResult();
        if ((int)put.StatusCode != 201)
        {
            throw new InvalidOperationException($"blob upload {digest} to {name}: {(int)put.StatusCode} {Body(put)}");
        }

        return digest;
    }

    /// <summary>Pushes the layers, a linux/amd64 config with their diff ids, and an OCI manifest tagged
    /// NAME:TAG; returns the manifest's digest.</summary>
    public string PushImage(string name, string tag, IReadOnlyList<ApiLayer> layers)
    {
        var config = new JsonObject
        {
            ["created"] = "2024-01-02T03:04:05Z",
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new JsonObject { ["Cmd"] = new JsonArray("sh"), ["Env"] = new JsonArray("PATH=/bin") },
            ["rootfs"] = new JsonObject
            {
                ["type"] = "layers",
                ["diff_ids"] = new JsonArray(layers.Select(l => (JsonNode)JsonValue.Create(l.DiffId)).ToArray()),
            },
        };
        byte[] configBytes = Encoding.UTF8.GetBytes(config.ToJsonString());
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciLayoutWriter.ManifestType,
            ["config"] = Descriptor("application/vnd.oci.image.config.v1+json", PushBlob(name, configBytes), configBytes.Length),
            ["layers"] = new JsonArray(layers.Select(l => (JsonNode)Descriptor(l.MediaType, PushBlob(name, l.Blob), l.Blob.Length)).ToArray()),
        };
        byte[] manifestBytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        using var content = new ByteArrayContent(manifestBytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(OciLayoutWriter.ManifestType);
        using var put = http.PutAsync($"{baseUrl}/v2/{name}/manifests/{tag}", content).GetAwaiter().GetResult();
        if ((int)put.StatusCode != 201)
        {
            throw new InvalidOperationException($"manifest {name}:{tag}: {(int)put.StatusCode} {Body(put)}");
        }

        return Sha256(manifestBytes);
    }

    private static JsonObject Descriptor(string mediaType, string digest, long size) =>
        new() { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = size };

    private static string Body(HttpResponseMessage r) => r.Content.ReadAsStringAsync().GetAwaiter().GetResult();

    public void Dispose() => http.Dispose();
}
