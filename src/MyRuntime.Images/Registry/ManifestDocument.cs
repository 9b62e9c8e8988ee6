using System.Security.Cryptography;
using System.Text.Json;
using MyRuntime.Oci;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Registry;

/// <summary>A manifest as the registry sent it: its bytes and digest, and what it is (an index or one image's
/// manifest), told apart by Content-Type, else by the JSON's mediaType, else by its shape (umoci leaves mediaType out).</summary>
public sealed class ManifestDocument
{
    public const string DockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
    public const string DockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    private ManifestDocument(byte[] bytes, Digest digest, string mediaType, ImageIndex? index, ImageManifest? manifest)
    {
        Bytes = bytes;
        Digest = digest;
        MediaType = mediaType;
        Index = index;
        Manifest = manifest;
    }

    public byte[] Bytes { get; }

    public Digest Digest { get; }

    /// <summary>The media type it was read as (one of <see cref="MediaTypes.ManifestAccept"/>).</summary>
    public string MediaType { get; }

    /// <summary>Set when it is an index (OCI index, Docker manifest list).</summary>
    public ImageIndex? Index { get; }

    /// <summary>Set when it is one image's manifest (OCI manifest, Docker schema 2).</summary>
    public ImageManifest? Manifest { get; }

    public static Digest DigestOf(byte[] bytes, string algorithm = "sha256") => algorithm == "sha512"
        ? Digest.Parse("sha512:" + Convert.ToHexStringLower(SHA512.HashData(bytes)))
        : Digest.Sha256(SHA256.HashData(bytes));

    /// <summary>Reads a manifest; <paramref name="what"/> names it in errors.</summary>
    public static ManifestDocument Parse(byte[] bytes, string? contentType, string what, string algorithm = "sha256")
    {
        string? kind = contentType is { Length: > 0 } ct && (MediaTypes.IsIndex(ct) || MediaTypes.IsManifest(ct)) ? ct : null;
        if (contentType is DockerSchema1 or DockerSchema1Signed)
        {
            throw new ImagesException($"{what}: Docker schema 1 manifests are not supported");
        }

        try
        {
            try
            {
                using (var doc = JsonDocument.Parse(bytes))
                {
                    var root = doc.RootElement;
                    if (root.ValueKind != JsonValueKind.Object)
                    {
                        throw new ImagesException($"{what}: the manifest is not a JSON object");
                    }

                    if (root.TryGetProperty("schemaVersion", out var sv) && sv.ValueKind == JsonValueKind.Number && sv.TryGetInt32(out int version) && version == 1)
                    {
                        throw new ImagesException($"{what}: Docker schema 1 manifests are not supported");
                    }

                    if (kind is null && root.TryGetProperty("mediaType", out var mt) && mt.ValueKind == JsonValueKind.String && mt.GetString() is { } type
                        && (MediaTypes.IsIndex(type) || MediaTypes.IsManifest(type)))
                    {
                        kind = type;
                    }

                    if (kind is null)
                    {
                        kind = root.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex
                            : root.TryGetProperty("config", out _) && root.TryGetProperty("layers", out _) ? MediaTypes.OciManifest
                            : throw new ImagesException($"{what}: not an image manifest or index (content type \"{contentType}\")");
                    }
                }
            }
            catch (InvalidOperationException e)
            {
                // JsonElement's readers throw this for a string (a name too) holding a lone surrogate escape.
                throw new ImagesException($"{what}: invalid manifest JSON: {e.Message}");
            }

            var digest = DigestOf(bytes, algorithm);
            if (MediaTypes.IsIndex(kind))
            {
                var index = JsonSerializer.Deserialize(bytes, OciJson.Default.ImageIndex)!;
                foreach (var entry in index.Manifests ?? throw new ImagesException($"{what}: the index has no manifests list"))
                {
                    CheckDescriptor(entry, what, "manifest");
                }

                return new ManifestDocument(bytes, digest, kind, index, null);
            }

            var manifest = JsonSerializer.Deserialize(bytes, OciJson.Default.ImageManifest)!;
            CheckDescriptor(manifest.Config, what, "config");
            foreach (var layer in manifest.Layers ?? throw new ImagesException($"{what}: the manifest has no layers list"))
            {
                CheckDescriptor(layer, what, "layer");
            }

            try
            {
                _ = checked(manifest.Layers.Sum(l => l.Size) + manifest.Config.Size);
            }
            catch (OverflowException)
            {
                throw new ImagesException($"{what}: the sizes of the config and the layers add up past 2^63 bytes");
            }

            return new ManifestDocument(bytes, digest, kind, null, manifest);
        }
        catch (JsonException e)
        {
            throw new ImagesException($"{what}: invalid manifest JSON: {e.Message}");
        }
    }

    private static void CheckDescriptor(Descriptor? d, string what, string role)
    {
        if (d is null)
        {
            throw new ImagesException($"{what}: a {role} descriptor is null");
        }

        if (!Digest.TryParse(d.Digest, out _))
        {
            throw new ImagesException($"{what}: {role} has an invalid digest \"{d.Digest}\"");
        }

        if (d.Size < 0)
        {
            throw new ImagesException($"{what}: {role} {d.Digest} has a negative size");
        }
    }
}
