using System.Text.Json;
using MyRuntime.Images.Reference;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Store;

/// <summary>Image records (images/HEX.json, HEX the config digest's) and the tag index (images/repositories.json:
/// full name:tag → image id). Every write is atomic (temp file in tmp/, fsync, rename) and made under records.lock.</summary>
public sealed class ImageStore
{
    public const string IndexFile = "repositories.json";

    public ImageStore(StoreLayout layout)
    {
        Layout = layout;
        Blobs = new BlobStore(layout);
    }

    public StoreLayout Layout { get; }

    public BlobStore Blobs { get; }

    private string RecordPath(Digest id) => Path.Combine(Layout.Images, id.Hex + ".json");

    private string IndexPath => Path.Combine(Layout.Images, IndexFile);

    /// <summary>Every image record, newest pull first.</summary>
    public List<ImageRecord> List()
    {
        if (!Directory.Exists(Layout.Images))
        {
            return [];
        }

        var records = new List<ImageRecord>();
        foreach (string path in Directory.EnumerateFiles(Layout.Images, "*.json"))
        {
            if (Path.GetFileName(path) != IndexFile && ReadRecord(path) is { } r)
            {
                records.Add(r);
            }
        }

        return records.OrderByDescending(r => r.Pulled).ToList();
    }

    public ImageRecord? Get(Digest id) => ReadRecord(RecordPath(id));

    /// <summary>The tag index: full name:tag → image id.</summary>
    public SortedDictionary<string, string> Tags()
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(IndexPath), ImagesJson.Default.SortedDictionaryStringString) ?? [];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
        catch (JsonException e)
        {
            throw new ImagesException($"the tag index {IndexPath} is corrupt: {e.Message}");
        }
    }

    /// <summary>The image a user's argument names: name[:tag], name@digest, or an id (sha256:HEX or a unique hex
    /// prefix). <paramref name="byTag"/> tells whether it was found by its tag.</summary>
    public ImageRecord? Resolve(string text, out bool byTag)
    {
        byTag = false;
        if (ImageReference.TryParse(text, out var reference, out _))
        {
            if (reference.Digest is { } d)
            {
                string wanted = $"{reference.Name}@{d}";
                var match = List().FirstOrDefault(r => r.RepoDigests.Contains(wanted));
                if (match is not null)
                {
                    return match;
                }
            }
            else if (Tags().TryGetValue(reference.TaggedName!, out string? id) && Digest.TryParse(id, out var imageId) && Get(imageId) is { } tagged)
            {
                byTag = true;
                return tagged;
            }
        }

        string hex = text.StartsWith("sha256:", StringComparison.Ordinal) ? text[7..] : text;
        if (hex.Length == 0 || !hex.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
        {
            return null;
        }

        var found = List().Where(r => Digest.TryParse(r.Id, out var id) && id.Hex.StartsWith(hex, StringComparison.Ordinal)).ToList();
        return found.Count switch
        {
            0 => null,
            1 => found[0],
            _ => throw new ImagesException($"image id prefix {hex} is ambiguous: it matches {found.Count} images"),
        };
    }

    /// <summary>Writes a pulled image's record: tags and digests it already had are kept, <paramref name="tag"/> moves
    /// to it from any other image, <paramref name="repoDigest"/> is added. Takes records.lock.</summary>
    public ImageRecord Save(ImageRecord record, string? tag, string? repoDigest)
    {
        using var gate = StoreLock.Exclusive(Layout, StoreLock.Records);
        var id = Digest.Parse(record.Id, "image id");
        if (Get(id) is { } existing)
        {
            record.RepoTags = existing.RepoTags.Union(record.RepoTags).ToList();
            record.RepoDigests = existing.RepoDigests.Union(record.RepoDigests).ToList();
        }

        var tags = Tags();
        if (tag is not null)
        {
            if (tags.TryGetValue(tag, out string? previous) && previous != record.Id && Digest.TryParse(previous, out var prevId)
                && Get(prevId) is { } other)
            {
                other.RepoTags.Remove(tag);
                WriteRecord(other);
            }

            if (!record.RepoTags.Contains(tag))
            {
                record.RepoTags.Add(tag);
            }

            tags[tag] = record.Id;
        }

        if (repoDigest is not null && !record.RepoDigests.Contains(repoDigest))
        {
            record.RepoDigests.Add(repoDigest);
        }

        WriteRecord(record);
        WriteIndex(tags);
        return record;
    }

    /// <summary>Rewrites a record (caller holds records.lock).</summary>
    internal void WriteRecord(ImageRecord record) =>
        WriteAtomic(RecordPath(Digest.Parse(record.Id, "image id")), JsonSerializer.SerializeToUtf8Bytes(record, ImagesJson.Default.ImageRecord));

    /// <summary>Removes a record and its tags from the index (caller holds records.lock).</summary>
    internal void DeleteRecord(ImageRecord record)
    {
        var tags = Tags();
        foreach (string key in tags.Where(kv => kv.Value == record.Id).Select(kv => kv.Key).ToList())
        {
            tags.Remove(key);
        }

        WriteIndex(tags);
        File.Delete(RecordPath(Digest.Parse(record.Id, "image id")));
    }

    internal void WriteIndex(SortedDictionary<string, string> tags) =>
        WriteAtomic(IndexPath, JsonSerializer.SerializeToUtf8Bytes(tags, ImagesJson.Default.SortedDictionaryStringString));

    private void WriteAtomic(string path, byte[] bytes) => AtomicFile.Replace(path, Blobs.NewTemp("record"), bytes);

    private static ImageRecord? ReadRecord(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), ImagesJson.Default.ImageRecord);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException e)
        {
            throw new ImagesException($"image record {path} is corrupt: {e.Message}");
        }
    }
}
