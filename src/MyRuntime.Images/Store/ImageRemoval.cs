using MyRuntime.Images.Reference;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Store;

/// <summary>rmi and prune: untag, delete records left without tags, delete the blobs no remaining image references.
/// Runs under an exclusive store.lock, so no pull is between "Already exists" and writing its record meanwhile.
/// (There is no container use-tracking yet; when there is, an image in use must be refused here.)</summary>
public sealed class ImageRemoval
{
    private readonly ImageStore store;

    public ImageRemoval(ImageStore store)
    {
        this.store = store;
    }

    /// <summary>rmi of one argument: the lines to print (<c>Untagged: …</c>, <c>Deleted: sha256:…</c>).</summary>
    public List<string> Remove(string text, bool force)
    {
        using var storeLock = StoreLock.Exclusive(store.Layout, StoreLock.Store);
        using var gate = StoreLock.Exclusive(store.Layout, StoreLock.Records);
        var record = store.Resolve(text, out bool byTag) ?? throw new ImagesException($"No such image: {text}");
        var lines = new List<string>();
        bool lastTag = !byTag || record.RepoTags.Count <= 1;
        if (lastTag && Snapshots.ImageSnapshots.Uses(store.Layout).FirstOrDefault(u => u.ImageId == record.Id) is { } use)
        {
            throw new ImagesException($"conflict: unable to remove {text}: snapshot {use.Id} is using image {Short(record.Id)} (unmount it first)");
        }

        if (byTag)
        {
            string tag = ImageReference.Parse(text).TaggedName!;
            record.RepoTags.Remove(tag);
            var tags = store.Tags();
            tags.Remove(tag);
            store.WriteIndex(tags);
            lines.Add($"Untagged: {Familiar(tag)}");
            if (record.RepoTags.Count > 0)
            {
                store.WriteRecord(record);
                return lines;
            }
        }
        else if (!force && record.RepoTags.Select(t => ImageReference.Parse(t).Name).Distinct().Count() > 1)
        {
            throw new ImagesException($"conflict: unable to delete {Short(record.Id)} (must be forced) - image is referenced in multiple repositories");
        }

        lines.AddRange(record.RepoTags.Select(t => $"Untagged: {Familiar(t)}"));
        lines.AddRange(record.RepoDigests.Select(d => $"Untagged: {Familiar(d)}"));
        Delete(record);
        lines.Add($"Deleted: {record.Id}");
        return lines;
    }

    /// <summary>image prune: every record without tags, deleted with the blobs only it used.</summary>
    public List<string> Prune()
    {
        using var storeLock = StoreLock.Exclusive(store.Layout, StoreLock.Store);
        using var gate = StoreLock.Exclusive(store.Layout, StoreLock.Records);
        var lines = new List<string>();
        var used = new HashSet<string>(Snapshots.ImageSnapshots.Uses(store.Layout).Select(u => u.ImageId));
        foreach (var record in store.List().Where(r => r.RepoTags.Count == 0 && !used.Contains(r.Id)))
        {
            lines.AddRange(record.RepoDigests.Select(d => $"untagged: {Familiar(d)}"));
            Delete(record);
            lines.Add($"deleted: {record.Id}");
        }

        return lines;
    }

    private void Delete(ImageRecord record)
    {
        store.DeleteRecord(record);
        var kept = new HashSet<Digest>(store.List().SelectMany(r => r.Blobs()));
        foreach (var blob in record.Blobs().Where(b => !kept.Contains(b)))
        {
            store.Blobs.Delete(blob);
        }

        // Unpacked layers that no image and no snapshot stands on any more.
        var keptLayers = new HashSet<string>(store.List().SelectMany(r => r.DiffIds)
            .Concat(Snapshots.ImageSnapshots.Uses(store.Layout).SelectMany(u => u.DiffIds)));
        var layers = new LayerStore(store.Layout);
        foreach (string diffId in record.DiffIds.Where(d => !keptLayers.Contains(d)).Distinct())
        {
            if (Digest.TryParse(diffId, out var d) && layers.Contains(d))
            {
                layers.Remove(d);
            }
        }
    }

    private static string Familiar(string name) =>
        ImageReference.TryParse(name, out var r, out _) ? r.Familiar : name;

    public static string Short(string id) => Digest.TryParse(id, out var d) ? d.Hex[..12] : id;
}
