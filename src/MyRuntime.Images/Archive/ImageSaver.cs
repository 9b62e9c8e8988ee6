using System.Formats.Tar;
using System.Text.Json;
using MyRuntime.Images.Reference;
using MyRuntime.Images.Store;
using MyRuntime.Oci;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Archive;

/// <summary><c>save</c>: images of the store into a tar (see <see cref="ArchiveFormat"/>). An image named by NAME:TAG
/// carries that tag; one named by id carries none, as Docker does. The store lock is held shared while writing, so no
/// rmi removes a blob being read.</summary>
public sealed class ImageSaver
{
    private readonly ImageStore store;

    public ImageSaver(StoreLayout layout)
    {
        store = new ImageStore(layout);
    }

    /// <summary>Writes the archive to a file: to a temp file beside it first, renamed when complete.</summary>
    public void SaveToFile(IReadOnlyList<string> images, string path, ArchiveFormat format)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.tmp-{Environment.ProcessId}");
        try
        {
            using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Save(images, output, format);
                output.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Writes the archive to <paramref name="output"/> (left open).</summary>
    public void Save(IReadOnlyList<string> images, Stream output, ArchiveFormat format)
    {
        if (images.Count == 0)
        {
            throw new ImagesException("save: no image given");
        }

        var selected = Select(images);
        using var storeLock = StoreLock.Shared(store.Layout, StoreLock.Store);
        using var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        var writer = new ArchiveTarWriter(tar, store.Blobs);
        writer.Directory("blobs/");
        writer.Directory("blobs/sha256/");
        var index = new ImageIndex { SchemaVersion = 2, MediaType = MediaTypes.OciIndex };
        var dockerManifest = new List<DockerArchiveEntry>();
        foreach (var (record, tags) in selected)
        {
            var configDigest = Digest.Parse(record.ConfigDigest, "config digest");
            writer.Blob(configDigest);
            Descriptor manifestDescriptor;
            if (format == ArchiveFormat.OciArchive)
            {
                foreach (var layer in record.Layers)
                {
                    writer.Blob(Digest.Parse(layer.Digest, "layer digest"));
                }

                var manifestDigest = Digest.Parse(record.ManifestDigest, "manifest digest");
                manifestDescriptor = new Descriptor
                {
                    MediaType = record.MediaType,
                    Digest = manifestDigest.ToString(),
                    Size = new FileInfo(store.Blobs.PathOf(manifestDigest)).Length,
                };
                writer.Blob(manifestDigest);
            }
            else
            {
                var layers = record.Layers.Select((l, i) => writer.UncompressedLayer(l, Digest.Parse(record.DiffIds[i], "diff id"))).ToList();
                dockerManifest.Add(new DockerArchiveEntry
                {
                    Config = BlobName(configDigest),
                    RepoTags = tags.Count == 0 ? null : tags.Select(t => ImageReference.Parse(t).Familiar).ToList(),
                    Layers = layers.Select(l => BlobName(Digest.Parse(l.Digest))).ToList(),
                });
                var manifest = new ImageManifest
                {
                    SchemaVersion = 2,
                    MediaType = MediaTypes.OciManifest,
                    Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = configDigest.ToString(), Size = new FileInfo(store.Blobs.PathOf(configDigest)).Length },
                    Layers = layers,
                };
                byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, OciJson.Default.ImageManifest);
                var digest = Digest.Sha256(System.Security.Cryptography.SHA256.HashData(bytes));
                manifestDescriptor = new Descriptor { MediaType = MediaTypes.OciManifest, Digest = digest.ToString(), Size = bytes.LongLength };
                if (format == ArchiveFormat.Combined)
                {
                    writer.File(BlobName(digest), bytes);
                }
            }

            index.Manifests.AddRange(IndexEntries(manifestDescriptor, tags));
        }

        if (format != ArchiveFormat.OciArchive)
        {
            writer.File(DockerArchiveReader.ManifestFile, JsonSerializer.SerializeToUtf8Bytes(dockerManifest, ArchiveJson.Default.ListDockerArchiveEntry));
        }

        if (format != ArchiveFormat.DockerArchive)
        {
            writer.File(OciLayoutReader.IndexFile, JsonSerializer.SerializeToUtf8Bytes(index, OciJson.Default.ImageIndex));
            writer.File(OciLayoutReader.LayoutFile, JsonSerializer.SerializeToUtf8Bytes(new ImageLayout(), OciJson.Default.ImageLayout));
        }
    }

    private static string BlobName(Digest d) => $"blobs/{d.Algorithm}/{d.Hex}";

    /// <summary>One index.json entry per tag (annotated with the full name and the tag, as Docker does), or one
    /// without names for an untagged image.</summary>
    private static IEnumerable<Descriptor> IndexEntries(Descriptor manifest, List<string> tags)
    {
        if (tags.Count == 0)
        {
            yield return manifest;
            yield break;
        }

        foreach (string tag in tags)
        {
            yield return new Descriptor
            {
                MediaType = manifest.MediaType,
                Digest = manifest.Digest,
                Size = manifest.Size,
                Annotations = new Dictionary<string, string>
                {
                    [OciLayoutReader.ContainerdName] = tag,
                    [OciLayoutReader.RefName] = ImageReference.Parse(tag).Tag!,
                },
            };
        }
    }

    /// <summary>The images named, each once, with the tags they were named by (in order).</summary>
    private List<(ImageRecord Record, List<string> Tags)> Select(IReadOnlyList<string> images)
    {
        var selected = new List<(ImageRecord Record, List<string> Tags)>();
        foreach (string text in images)
        {
            var record = store.Resolve(text, out bool byTag) ?? throw new ImagesException($"No such image: {text}");
            int at = selected.FindIndex(s => s.Record.Id == record.Id);
            if (at < 0)
            {
                selected.Add((record, []));
                at = selected.Count - 1;
            }

            if (byTag && ImageReference.Parse(text).TaggedName is { } tag && !selected[at].Tags.Contains(tag))
            {
                selected[at].Tags.Add(tag);
            }
        }

        return selected;
    }
}
