using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Store;

/// <summary>What the store knows of one image, in images/HEX.json. Its id is the config digest, as Docker's is.</summary>
public sealed class ImageRecord
{
    /// <summary>sha256:HEX of the config blob.</summary>
    public string Id { get; set; } = "";

    /// <summary>Full names with tag (<c>docker.io/library/busybox:latest</c>).</summary>
    public List<string> RepoTags { get; set; } = [];

    /// <summary>Full names with the digest pulled (<c>docker.io/library/busybox@sha256:…</c>): the index's digest
    /// when the image came from a manifest list.</summary>
    public List<string> RepoDigests { get; set; } = [];

    /// <summary>The digest of the platform's manifest.</summary>
    public string ManifestDigest { get; set; } = "";

    /// <summary>The digest of the index it was chosen from, if any (its blob is kept too).</summary>
    public string? IndexDigest { get; set; }

    public string ConfigDigest { get; set; } = "";

    public string MediaType { get; set; } = "";

    /// <summary>The layer descriptors, lowest first.</summary>
    public List<Descriptor> Layers { get; set; } = [];

    /// <summary>The config's rootfs.diff_ids, one per layer, in the same order.</summary>
    public List<string> DiffIds { get; set; } = [];

    /// <summary>When the image was built (the config's created), if it says.</summary>
    public DateTimeOffset? Created { get; set; }

    /// <summary>When it was last pulled into this store.</summary>
    public DateTimeOffset Pulled { get; set; }

    public string Os { get; set; } = "";

    public string Architecture { get; set; } = "";

    public string? Variant { get; set; }

    /// <summary>Bytes of the blobs as stored: layers, config and manifest.</summary>
    public long Size { get; set; }

    /// <summary>Every blob this image holds on to.</summary>
    public IEnumerable<Digest> Blobs()
    {
        foreach (string d in new[] { ManifestDigest, ConfigDigest, IndexDigest ?? "" }.Concat(Layers.Select(l => l.Digest)))
        {
            if (Digest.TryParse(d, out var digest))
            {
                yield return digest;
            }
        }
    }
}
