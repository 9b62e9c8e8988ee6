using System.Text.Json;
using MyRuntime.Images.Store;
using MyRuntime.Images.Unpack;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Snapshots;

/// <summary>Writable overlay snapshots of images (what a container's rootfs is, and <c>image mount</c>): the image's
/// layers as lowers, with a record of what it stands on so that rmi keeps them.</summary>
public sealed class ImageSnapshots
{
    public const string UseFile = "image.json";

    private readonly ImageStore store;

    public ImageSnapshots(ImageStore store)
    {
        this.store = store;
    }

    private StoreLayout Layout => store.Layout;

    /// <summary>The snapshot id <c>image mount</c> uses for an image when given no name.</summary>
    public static string DefaultId(ImageRecord record) => "image-" + Digest.Parse(record.Id, "image id").Hex[..12];

    /// <summary>Mounts a new snapshot of <paramref name="image"/> (a name or id); returns the record and the merged path.
    /// A layer missing from the layer store (an image stored before it was unpacked) is unpacked from its blob.</summary>
    public (ImageRecord Record, string Merged) Mount(string image, string? id, bool volatileUpper = false)
    {
        using var storeLock = StoreLock.Shared(Layout, StoreLock.Store);
        var record = store.Resolve(image, out _) ?? throw new ImagesException($"No such image: {image}");
        string snapshot = id ?? DefaultId(record);
        var layers = new LayerStore(Layout);
        var dirs = new List<string>();
        for (int i = 0; i < record.DiffIds.Count; i++)
        {
            var diffId = Digest.Parse(record.DiffIds[i], "diff id");
            var blob = Digest.Parse(record.Layers[i].Digest, "layer digest");
            dirs.Add(layers.Ensure(diffId, () => File.OpenRead(store.Blobs.PathOf(blob)), UnpackOptions.ForCurrentUser()));
        }

        string merged = OverlaySnapshot.Create(Layout, snapshot, dirs, volatileUpper);
        try
        {
            var use = new SnapshotUse { Id = snapshot, ImageId = record.Id, DiffIds = [.. record.DiffIds] };
            File.WriteAllBytes(Path.Combine(Layout.Snapshot(snapshot), UseFile), JsonSerializer.SerializeToUtf8Bytes(use, ImagesJson.Default.SnapshotUse));
        }
        catch
        {
            OverlaySnapshot.Remove(Layout, snapshot);
            throw;
        }

        return (record, merged);
    }

    /// <summary>Unmounts and removes a snapshot; an unknown one is an error.</summary>
    public void Unmount(string id)
    {
        if (!Directory.Exists(Layout.Snapshot(id)) || id.Contains('/', StringComparison.Ordinal))
        {
            throw new ImagesException($"No such snapshot: {id}");
        }

        OverlaySnapshot.Remove(Layout, id);
    }

    /// <summary>Mounts an existing snapshot again (after it was released, or after a host restart); its merged path.</summary>
    public string EnsureMounted(string id, bool volatileUpper = false)
    {
        using var storeLock = StoreLock.Shared(Layout, StoreLock.Store);
        string file = Path.Combine(Layout.Snapshot(id), UseFile);
        SnapshotUse use = (File.Exists(file) ? JsonSerializer.Deserialize(File.ReadAllBytes(file), ImagesJson.Default.SnapshotUse) : null)
            ?? throw new ImagesException($"No such snapshot: {id}");
        var layers = new LayerStore(Layout);
        var dirs = use.DiffIds.Select(d => layers.DiffPath(Digest.Parse(d, "diff id"))).ToList();
        foreach (string dir in dirs.Where(d => !Directory.Exists(d)))
        {
            throw new ImagesException($"snapshot {id}: layer {dir} is missing from the store");
        }

        return OverlaySnapshot.Remount(Layout, id, dirs, volatileUpper);
    }

    /// <summary>Unmounts a snapshot and keeps its writes; nothing when it is not mounted or does not exist.</summary>
    public void Release(string id) => OverlaySnapshot.Unmount(Layout, id);

    /// <summary>Unmounts and removes a snapshot; nothing when it does not exist.</summary>
    public void Remove(string id) => OverlaySnapshot.Remove(Layout, id);

    /// <summary>The snapshots there are and what each stands on.</summary>
    public static List<SnapshotUse> Uses(StoreLayout layout)
    {
        var uses = new List<SnapshotUse>();
        if (!Directory.Exists(layout.Snapshots))
        {
            return uses;
        }

        foreach (string dir in Directory.EnumerateDirectories(layout.Snapshots))
        {
            string file = Path.Combine(dir, UseFile);
            if (File.Exists(file) && JsonSerializer.Deserialize(File.ReadAllBytes(file), ImagesJson.Default.SnapshotUse) is { } use)
            {
                uses.Add(use);
            }
        }

        return uses;
    }
}
