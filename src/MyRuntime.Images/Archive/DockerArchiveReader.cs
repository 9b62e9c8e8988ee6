using System.Security.Cryptography;
using System.Text.Json;
using MyRuntime.Images.Content;
using MyRuntime.Oci;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Archive;

/// <summary>The images of a docker-archive (<c>docker save</c>): <c>manifest.json</c> names each image's config and
/// layer files (legacy <c>HEX/layer.tar</c> or Docker 25's <c>blobs/sha256/HEX</c>; plain, gzip or zstd). Files
/// named by a digest are checked against it, diff ids against the config; each image gets an OCI manifest made for
/// it, pointing at its layers as they are in the archive.</summary>
internal static class DockerArchiveReader
{
    public const string ManifestFile = "manifest.json";

    public static List<ArchiveImage> Read(SpooledArchive archive)
    {
        var file = archive.Get(ManifestFile, "the archive's");
        List<DockerArchiveEntry> entries;
        try
        {
            entries = JsonSerializer.Deserialize(archive.ReadAll(file, ManifestFile), ArchiveJson.Default.ListDockerArchiveEntry) ?? [];
        }
        catch (JsonException e)
        {
            throw new ImagesException($"{ManifestFile}: invalid JSON: {e.Message}");
        }

        if (entries.Count == 0)
        {
            throw new ImagesException($"{ManifestFile} lists no image");
        }

        return entries.Select((e, i) => ReadImage(archive, e, $"{ManifestFile} image {i + 1}")).ToList();
    }

    private static ArchiveImage ReadImage(SpooledArchive archive, DockerArchiveEntry entry, string what)
    {
        var configFile = archive.Get(entry.Config, $"{what}: config");
        byte[] configBytes = archive.ReadAll(configFile, "config");
        var configDigest = Digest.Sha256(SHA256.HashData(configBytes));
        CheckNamedDigest(configFile, configDigest, $"{what}: config");
        var config = ImageChecks.ParseConfig(configBytes, what);

        var files = entry.Layers.Select(l => archive.Get(l, $"{what}: layer")).ToList();
        foreach (var f in files)
        {
            CheckNamedDigest(f, f.Digest, $"{what}: layer");
        }

        var diffIds = ImageChecks.DiffIds(config, files.Select(f => f.TempPath).ToList(), what);
        var layers = files.Select((f, i) =>
        {
            var d = new Descriptor
            {
                MediaType = CompressedStreams.LayerMediaType(CompressedStreams.DetectFile(f.TempPath)),
                Digest = f.Digest.ToString(),
                Size = f.Size,
            };
            return new ArchiveLayer(d, f.Digest, diffIds[i], f.TempPath);
        }).ToList();

        var manifest = new ImageManifest
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.OciManifest,
            Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = configDigest.ToString(), Size = configBytes.LongLength },
            Layers = layers.Select(l => l.Descriptor).ToList(),
        };
        byte[] manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, OciJson.Default.ImageManifest);
        var tags = (entry.RepoTags ?? []).Select(t => ImageChecks.TaggedName(t, what)).Distinct().ToList();
        return new ArchiveImage(manifestBytes, Digest.Sha256(SHA256.HashData(manifestBytes)), manifest, configBytes, configDigest, config,
            layers, tags);
    }

    /// <summary>A file whose name holds a digest (<c>blobs/ALG/HEX</c>, <c>HEX.json</c>) must have that digest.</summary>
    private static void CheckNamedDigest(SpooledFile file, Digest actual, string what)
    {
        string[] parts = file.Name.Split('/');
        string? named = parts.Length == 3 && parts[0] == "blobs" ? $"{parts[1]}:{parts[2]}"
            : parts.Length == 1 && parts[0].EndsWith(".json", StringComparison.Ordinal) && parts[0].Length == 69 ? "sha256:" + parts[0][..64]
            : null;
        if (named is not null && Digest.TryParse(named, out var expected) && expected != actual && expected.Algorithm == actual.Algorithm)
        {
            throw new ImagesException($"{what} \"{file.Name}\" has digest {actual}, not the one its name says");
        }

        if (named is not null && parts[0] == "blobs" && !Digest.TryParse(named, out _))
        {
            throw new ImagesException($"{what} \"{file.Name}\": not a valid blob name");
        }
    }
}
