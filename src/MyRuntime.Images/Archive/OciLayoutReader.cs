using System.Text.Json;
using MyRuntime.Images.Registry;
using MyRuntime.Oci;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Archive;

/// <summary>The images of an OCI image layout tar: <c>oci-layout</c>, <c>index.json</c> and <c>blobs/ALG/HEX</c>.
/// Each of index.json's manifests is an image; a nested index is resolved to the platform's manifest (linux/amd64)
/// or its only one. Names come from the descriptor's <c>io.containerd.image.name</c> annotation, else from an
/// <c>org.opencontainers.image.ref.name</c> that is a full NAME:TAG; a bare ref.name (just a tag) names nothing.</summary>
internal static class OciLayoutReader
{
    public const string LayoutFile = "oci-layout";
    public const string IndexFile = "index.json";
    public const string ContainerdName = "io.containerd.image.name";
    public const string RefName = "org.opencontainers.image.ref.name";
    private const int MaxDepth = 4;

    public static bool IsLayout(SpooledArchive archive) => archive.Find(LayoutFile) is not null && archive.Find(IndexFile) is not null;

    public static List<ArchiveImage> Read(SpooledArchive archive, PlatformSelector platform)
    {
        CheckLayoutVersion(archive);
        var top = ManifestDocument.Parse(archive.ReadAll(archive.Get(IndexFile, "the layout's"), IndexFile), MediaTypes.OciIndex, IndexFile);
        var index = top.Index ?? throw new ImagesException($"{IndexFile} is not an image index");
        if (index.Manifests.Count == 0)
        {
            throw new ImagesException($"{IndexFile} lists no image");
        }

        var images = new List<ArchiveImage>();
        foreach (var descriptor in index.Manifests)
        {
            var image = ReadImage(archive, descriptor, platform, NameOf(descriptor));
            int same = images.FindIndex(i => i.ManifestDigest == image.ManifestDigest);
            if (same >= 0)
            {
                images[same] = images[same] with { Tags = images[same].Tags.Union(image.Tags).ToList() };
            }
            else
            {
                images.Add(image);
            }
        }

        return images;
    }

    private static void CheckLayoutVersion(SpooledArchive archive)
    {
        try
        {
            var layout = JsonSerializer.Deserialize(archive.ReadAll(archive.Get(LayoutFile, "the layout's"), LayoutFile), OciJson.Default.ImageLayout);
            if (layout is null || !layout.ImageLayoutVersion.StartsWith("1.", StringComparison.Ordinal))
            {
                throw new ImagesException($"{LayoutFile}: image layout version \"{layout?.ImageLayoutVersion}\" is not supported");
            }
        }
        catch (JsonException e)
        {
            throw new ImagesException($"{LayoutFile}: invalid JSON: {e.Message}");
        }
    }

    private static List<string> NameOf(Descriptor d)
    {
        string what = $"{IndexFile} entry {d.Digest}";
        if (d.Annotations?.GetValueOrDefault(ContainerdName) is { Length: > 0 } full)
        {
            return [ImageChecks.TaggedName(full, what)];
        }

        if (d.Annotations?.GetValueOrDefault(RefName) is { Length: > 0 } refName && (refName.Contains('/', StringComparison.Ordinal) || refName.Contains(':', StringComparison.Ordinal)))
        {
            return [ImageChecks.TaggedName(refName, what)];
        }

        return [];
    }

    private static ArchiveImage ReadImage(SpooledArchive archive, Descriptor descriptor, PlatformSelector platform, List<string> tags)
    {
        var d = descriptor;
        for (int depth = 0; ; depth++)
        {
            var file = archive.Blob(d, "manifest");
            var doc = ManifestDocument.Parse(archive.ReadAll(file, "manifest"), d.MediaType is { Length: > 0 } mt ? mt : null, $"manifest {d.Digest}", file.Digest.Algorithm);
            if (doc.Manifest is { } manifest)
            {
                return ReadManifest(archive, doc, manifest, tags);
            }

            if (depth == MaxDepth)
            {
                throw new ImagesException($"manifest {descriptor.Digest}: indexes nested more than {MaxDepth} deep");
            }

            var index = doc.Index!;
            d = index.Manifests.Count == 1 ? index.Manifests[0] : platform.Select(index, $"index {d.Digest}");
        }
    }

    private static ArchiveImage ReadManifest(SpooledArchive archive, ManifestDocument doc, ImageManifest manifest, List<string> tags)
    {
        string what = $"manifest {doc.Digest}";
        var configFile = archive.Blob(manifest.Config, $"{what}: config");
        byte[] configBytes = archive.ReadAll(configFile, "config");
        var config = ImageChecks.ParseConfig(configBytes, what);
        var files = new List<SpooledFile>();
        foreach (var layer in manifest.Layers)
        {
            ImageChecks.CheckLayerType(layer, what);
            files.Add(archive.Blob(layer, $"{what}: layer"));
        }

        var diffIds = ImageChecks.DiffIds(config, files.Select(f => f.TempPath).ToList(), what);
        var layers = manifest.Layers.Select((l, i) => new ArchiveLayer(l, files[i].Digest, diffIds[i], files[i].TempPath)).ToList();
        return new ArchiveImage(doc.Bytes, doc.Digest, manifest, configBytes, configFile.Digest, config, layers, tags);
    }
}
