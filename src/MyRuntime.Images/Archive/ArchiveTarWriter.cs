using System.Formats.Tar;
using MyRuntime.Images.Store;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Archive;

/// <summary>Writes an image archive's entries, each name once: directories, small files, blobs from the store and
/// layers uncompressed (checked against their diff id on the way). Entries are owned by root, mode 0644 (0755 for
/// directories), dated at the epoch, so the same images give the same bytes.</summary>
internal sealed class ArchiveTarWriter
{
    private readonly TarWriter tar;
    private readonly BlobStore blobs;
    private readonly HashSet<string> written = new(StringComparer.Ordinal);
    private readonly Dictionary<Digest, Descriptor> uncompressed = [];

    public ArchiveTarWriter(TarWriter tar, BlobStore blobs)
    {
        this.tar = tar;
        this.blobs = blobs;
    }

    public void Directory(string name)
    {
        if (written.Add(name))
        {
            tar.WriteEntry(Entry(TarEntryType.Directory, name, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute));
        }
    }

    public void File(string name, byte[] bytes)
    {
        if (written.Add(name))
        {
            using var data = new MemoryStream(bytes, writable: false);
            var entry = Entry(TarEntryType.RegularFile, name, EntryMode);
            entry.DataStream = data;
            tar.WriteEntry(entry);
        }
    }

    /// <summary>A blob of the store, as it is, at blobs/ALG/HEX.</summary>
    public void Blob(Digest d)
    {
        string name = $"blobs/{d.Algorithm}/{d.Hex}";
        if (written.Contains(name))
        {
            return;
        }

        Directory($"blobs/{d.Algorithm}/");
        using var data = Open(blobs.PathOf(d), d);
        WriteFile(name, data);
    }

    /// <summary>A layer as an uncompressed tar at blobs/sha256/DIFFHEX; its descriptor (media type tar, digest the
    /// diff id).</summary>
    public Descriptor UncompressedLayer(Descriptor stored, Digest diffId)
    {
        if (uncompressed.TryGetValue(diffId, out var known))
        {
            return known;
        }

        var digest = Digest.Parse(stored.Digest, "layer digest");
        string path = blobs.PathOf(digest);
        string name = $"blobs/{diffId.Algorithm}/{diffId.Hex}";
        Directory($"blobs/{diffId.Algorithm}/");
        long size;
        if (digest == diffId)
        {
            using var data = Open(path, digest);
            size = data.Length;
            WriteFile(name, data);
        }
        else
        {
            string temp = blobs.NewTemp("save");
            try
            {
                using var data = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
                if (!System.IO.File.Exists(path))
                {
                    throw new ImagesException($"blob {digest} is missing from the store");
                }

                var diff = LayerDiff.Of(path, data);
                if (diff.DiffId != diffId)
                {
                    throw new ImagesException($"layer {digest} in the store uncompresses to {diff.DiffId}, not its diff id {diffId}");
                }

                data.Position = 0;
                size = diff.Size;
                WriteFile(name, data);
            }
            finally
            {
                System.IO.File.Delete(temp);
            }
        }

        var descriptor = new Descriptor { MediaType = MediaTypes.OciLayer, Digest = diffId.ToString(), Size = size };
        uncompressed[diffId] = descriptor;
        return descriptor;
    }

    private const UnixFileMode EntryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private static FileStream Open(string path, Digest d)
    {
        try
        {
            return new FileStream(path, System.IO.FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ImagesException($"blob {d} is missing from the store");
        }
    }

    private void WriteFile(string name, Stream data)
    {
        written.Add(name);
        var entry = Entry(TarEntryType.RegularFile, name, EntryMode);
        entry.DataStream = data;
        tar.WriteEntry(entry);
    }

    private static PaxTarEntry Entry(TarEntryType type, string name, UnixFileMode mode) => new(type, name)
    {
        Mode = mode,
        ModificationTime = DateTimeOffset.UnixEpoch,
        Uid = 0,
        Gid = 0,
    };
}
