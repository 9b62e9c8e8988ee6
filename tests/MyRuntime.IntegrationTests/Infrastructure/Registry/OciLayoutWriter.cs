using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace MyRuntime.IntegrationTests.Infrastructure.Registry;

/// <summary>A gzipped layer: its blob's descriptor values and its diff id.</summary>
public sealed record LayerBlob(string Digest, long Size, string DiffId);

/// <summary>Writes OCI image layouts offline (blobs/sha256, index.json, oci-layout): gzipped tar layers made with
/// System.Formats.Tar, configs with their diff ids, manifests, and indexes with platforms, for skopeo to push.</summary>
public sealed class OciLayoutWriter
{
    public const string ManifestType = "application/vnd.oci.image.manifest.v1+json";
    public const string IndexType = "application/vnd.oci.image.index.v1+json";
    private readonly JsonArray top = [];

    public OciLayoutWriter(string dir)
    {
        Dir = dir;
        Directory.CreateDirectory(Path.Combine(dir, "blobs", "sha256"));
        File.WriteAllText(Path.Combine(dir, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    public string Dir { get; }

    /// <summary>A tar of a directory tree (the busybox rootfs).</summary>
    public static byte[] TarOfDirectory(string dir)
    {
        using var ms = new MemoryStream();
        TarFile.CreateFromDirectory(dir, ms, includeBaseDirectory: false);
        return ms.ToArray();
    }

    /// <summary>A tar of one file with the given content.</summary>
    public static byte[] TarOfFile(string name, byte[] content)
    {
        using var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            var e = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content), Mode = (UnixFileMode)0x1a4 };
            w.WriteEntry(e);
        }

        return ms.ToArray();
    }

    /// <summary>Random bytes, so that a layer is unique to the test that makes it.</summary>
    public static byte[] RandomBytes(int n) => RandomNumberGenerator.GetBytes(n);

    public LayerBlob AddLayer(byte[] tar)
    {
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(tar);
        }

        byte[] blob = gz.ToArray();
        return new LayerBlob(WriteBlob(blob), blob.Length, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar)));
    }

    /// <summary>A config and a manifest for these layers; returns the manifest's (digest, size).</summary>
    public (string Digest, long Size) AddImage(IReadOnlyList<LayerBlob> layers, string arch = "amd64", string? variant = null, int? diffIdCount = null)
    {
        var diffIds = new JsonArray(layers.Take(diffIdCount ?? layers.Count).Select(l => (JsonNode)JsonValue.Create(l.DiffId)).ToArray());
        var config = new JsonObject
        {
            ["created"] = "2024-01-02T03:04:05Z",
            ["architecture"] = arch,
            ["os"] = "linux",
            ["config"] = new JsonObject { ["Cmd"] = new JsonArray("sh"), ["Env"] = new JsonArray("PATH=/bin") },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = diffIds },
        };
        if (variant is not null)
        {
            config["variant"] = variant;
        }

        byte[] configBytes = Encoding.UTF8.GetBytes(config.ToJsonString());
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = ManifestType,
            ["config"] = Descriptor("application/vnd.oci.image.config.v1+json", WriteBlob(configBytes), configBytes.Length),
            ["layers"] = new JsonArray(layers.Select(l => (JsonNode)Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", l.Digest, l.Size)).ToArray()),
        };
        byte[] manifestBytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        return (WriteBlob(manifestBytes), manifestBytes.Length);
    }

    /// <summary>Names a manifest with a tag in index.json.</summary>
    public void TagManifest(string tag, (string Digest, long Size) manifest)
    {
        var d = Descriptor(ManifestType, manifest.Digest, manifest.Size);
        d["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag };
        top.Add((JsonNode)d);
        WriteTop();
    }

    /// <summary>An image index of per-platform manifests, named with a tag in index.json.</summary>
    public string TagIndex(string tag, IEnumerable<((string Digest, long Size) Manifest, string Arch, string? Variant)> entries)
    {
        var manifests = new JsonArray();
        foreach (var (m, arch, variant) in entries)
        {
            var d = Descriptor(ManifestType, m.Digest, m.Size);
            var platform = new JsonObject { ["architecture"] = arch, ["os"] = "linux" };
            if (variant is not null)
            {
                platform["variant"] = variant;
            }

            d["platform"] = platform;
            manifests.Add((JsonNode)d);
        }

        byte[] bytes = Encoding.UTF8.GetBytes(new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = IndexType, ["manifests"] = manifests }.ToJsonString());
        string digest = WriteBlob(bytes);
        var entry = Descriptor(IndexType, digest, bytes.Length);
        entry["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag };
        top.Add((JsonNode)entry);
        WriteTop();
        return digest;
    }

    private void WriteTop() =>
        File.WriteAllText(Path.Combine(Dir, "index.json"), new JsonObject { ["schemaVersion"] = 2, ["manifests"] = top.DeepClone() }.ToJsonString());

    private static JsonObject Descriptor(string mediaType, string digest, long size) =>
        new() { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = size };

    private string WriteBlob(byte[] bytes)
    {
        string hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
        File.WriteAllBytes(Path.Combine(Dir, "blobs", "sha256", hex), bytes);
        return "sha256:" + hex;
    }
}
