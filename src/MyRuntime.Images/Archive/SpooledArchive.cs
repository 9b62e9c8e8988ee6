using System.Formats.Tar;
using System.Security.Cryptography;
using MyRuntime.Images.Content;
using MyRuntime.Images.Store;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Archive;

/// <summary>One regular file of an archive, copied to a temp file: its size and its digest (sha512 for files under
/// blobs/sha512/, sha256 otherwise).</summary>
public sealed record SpooledFile(string Name, string TempPath, long Size, Digest Digest);

/// <summary>An image archive (a tar, plain, gzip or zstd) read in one pass into a temp dir under the store's tmp/,
/// removed on dispose. Regular files and directories are accepted, and links (as skopeo writes <c>HEX/layer.tar</c>
/// → <c>../HEX.tar</c>) only when they resolve, inside the archive, to one of its files; names are checked (no
/// absolute paths, no <c>..</c> climbing out, no NUL, no duplicates) and looked up by their normalized form.</summary>
public sealed class SpooledArchive : IDisposable
{
    private const int MaxLinkHops = 8;
    private readonly Dictionary<string, SpooledFile> files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> links = new(StringComparer.Ordinal);

    private SpooledArchive(string dir)
    {
        Directory = dir;
    }

    /// <summary>The temp dir holding the files.</summary>
    public string Directory { get; }

    public IReadOnlyCollection<SpooledFile> Files => files.Values;

    /// <summary>Reads <paramref name="archive"/> to its end into a fresh dir under <paramref name="layout"/>'s tmp/.</summary>
    public static SpooledArchive Read(Stream archive, StoreLayout layout)
    {
        System.IO.Directory.CreateDirectory(layout.Tmp);
        var spool = new SpooledArchive(layout.NewTemp("load"));
        try
        {
            System.IO.Directory.CreateDirectory(spool.Directory);
            using var tar = CompressedStreams.Decompress(archive, leaveOpen: true);
            using var reader = new TarReader(tar, leaveOpen: true);
            bool any = false;
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                any = true;
                spool.Add(entry);
            }

            if (!any)
            {
                throw new ImagesException("the archive is empty");
            }

            spool.ResolveLinks();

            return spool;
        }
        catch (Exception e) when (CompressedStreams.IsCorruptContent(e))
        {
            spool.Dispose();
            throw new ImagesException($"the archive is not a valid tar: {e.Message}", e);
        }
        catch
        {
            spool.Dispose();
            throw;
        }
    }

    /// <summary>The file named <paramref name="name"/> (normalized first), or null.</summary>
    public SpooledFile? Find(string name) => Normalize(name) is { } n && files.TryGetValue(n, out var f) ? f : null;

    /// <summary>The file named <paramref name="name"/>, or an <see cref="ImagesException"/> saying what refers to it.</summary>
    public SpooledFile Get(string name, string what)
    {
        if (Normalize(name) is null)
        {
            throw new ImagesException($"{what} \"{name}\" is not a path inside the archive");
        }

        return Find(name) ?? throw new ImagesException($"{what} \"{name}\" is missing from the archive");
    }

    /// <summary>The file of an OCI layout's blob, checked against the descriptor's digest and size.</summary>
    public SpooledFile Blob(Descriptor d, string what)
    {
        if (!Digest.TryParse(d.Digest, out var digest))
        {
            throw new ImagesException($"{what}: invalid digest \"{d.Digest}\"");
        }

        var file = Find($"blobs/{digest.Algorithm}/{digest.Hex}") ?? throw new ImagesException($"{what} {digest} is missing from the archive");
        if (file.Digest != digest)
        {
            throw new ImagesException($"{what} {digest}: the archive's content has digest {file.Digest}");
        }

        if (file.Size != d.Size)
        {
            throw new ImagesException($"{what} {digest}: {file.Size} bytes in the archive where the descriptor says {d.Size}");
        }

        return file;
    }

    /// <summary>The bytes of a small file (a manifest, a config, an index).</summary>
    public byte[] ReadAll(SpooledFile f, string what)
    {
        if (f.Size > 64L << 20)
        {
            throw new ImagesException($"{what} \"{f.Name}\" is too large ({f.Size} bytes)");
        }

        return File.ReadAllBytes(f.TempPath);
    }

    /// <summary>A name in the normal form (no leading <c>./</c>, no trailing or doubled <c>/</c>), or null when it
    /// is absolute, climbs with <c>..</c>, holds NUL or is empty.</summary>
    public static string? Normalize(string name)
    {
        if (name.Length == 0 || name.StartsWith('/') || name.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        if (parts.Count == 0 || parts.Contains(".."))
        {
            return null;
        }

        return string.Join('/', parts);
    }

    private void Add(TarEntry entry)
    {
        string name = Normalize(entry.Name) ?? (entry.EntryType == TarEntryType.Directory && entry.Name is "./" or "."
            ? "."
            : throw new ImagesException($"archive entry \"{entry.Name.Replace("\0", "\\0", StringComparison.Ordinal)}\": absolute paths, \"..\" and NUL are not accepted"));
        switch (entry.EntryType)
        {
            case TarEntryType.Directory or TarEntryType.GlobalExtendedAttributes:
                return;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                break;
            case TarEntryType.SymbolicLink or TarEntryType.HardLink:
                AddLink(name, entry.EntryType == TarEntryType.SymbolicLink, entry.LinkName);
                return;
            default:
                throw new ImagesException($"archive entry \"{name}\" is a {entry.EntryType}: only files and directories are accepted in image archives");
        }

        if (files.ContainsKey(name) || links.ContainsKey(name))
        {
            throw new ImagesException($"archive entry \"{name}\" appears twice");
        }

        string path = Path.Combine(Directory, files.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        bool sha512 = name.StartsWith("blobs/sha512/", StringComparison.Ordinal);
        using var hasher = IncrementalHash.CreateHash(sha512 ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);
        long size = 0;
        using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            if (entry.DataStream is { } data)
            {
                byte[] buffer = new byte[1 << 17];
                int n;
                while ((n = data.Read(buffer)) > 0)
                {
                    hasher.AppendData(buffer, 0, n);
                    output.Write(buffer, 0, n);
                    size += n;
                }
            }
        }

        byte[] hash = hasher.GetHashAndReset();
        var digest = sha512 ? Digest.Parse("sha512:" + Convert.ToHexStringLower(hash)) : Digest.Sha256(hash);
        files[name] = new SpooledFile(name, path, size, digest);
    }

    /// <summary>Records a link by the archive path it points to: a symlink's target is relative to its directory,
    /// a hard link's to the archive's root; one that is absolute or climbs out of the archive is refused.</summary>
    private void AddLink(string name, bool symbolic, string target)
    {
        string? resolved = null;
        if (target.Length > 0 && !target.StartsWith('/') && !target.Contains('\0', StringComparison.Ordinal))
        {
            var parts = symbolic ? name.Split('/')[..^1].ToList() : [];
            resolved = "";
            foreach (string part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                if (part == "..")
                {
                    if (parts.Count == 0)
                    {
                        resolved = null;
                        break;
                    }

                    parts.RemoveAt(parts.Count - 1);
                }
                else if (part != ".")
                {
                    parts.Add(part);
                }
            }

            resolved = resolved is null || parts.Count == 0 ? null : string.Join('/', parts);
        }

        if (resolved is null)
        {
            throw new ImagesException($"archive entry \"{name}\" links to \"{target}\", outside the archive: not accepted");
        }

        if (files.ContainsKey(name) || links.ContainsKey(name))
        {
            throw new ImagesException($"archive entry \"{name}\" appears twice");
        }

        links[name] = resolved;
    }

    /// <summary>Makes each link name the file it leads to; a link to nothing, or in a loop, is refused.</summary>
    private void ResolveLinks()
    {
        foreach (var (name, first) in links)
        {
            string target = first;
            for (int hop = 0; !files.ContainsKey(target); hop++)
            {
                if (hop == MaxLinkHops || !links.TryGetValue(target, out string? next))
                {
                    throw new ImagesException($"archive entry \"{name}\" links to \"{first}\", which is not a file in the archive");
                }

                target = next;
            }

            files[name] = files[target] with { Name = name };
        }
    }

    public void Dispose()
    {
        try
        {
            if (System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // left for RemoveStaleTemps once this process is gone
        }
    }
}
