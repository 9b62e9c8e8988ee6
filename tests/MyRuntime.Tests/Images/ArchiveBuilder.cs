using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Tests.Images;

/// <summary>Builds tars in memory for the archive tests: layer tars, and image archives entry by entry.</summary>
public sealed class ArchiveBuilder
{
    private readonly List<(string Name, byte[]? Data, TarEntryType Type, string? Link)> entries = [];

    public ArchiveBuilder File(string name, byte[] data)
    {
        entries.Add((name, data, TarEntryType.RegularFile, null));
        return this;
    }

    public ArchiveBuilder File(string name, string text) => File(name, Encoding.UTF8.GetBytes(text));

    public ArchiveBuilder Symlink(string name, string target)
    {
        entries.Add((name, null, TarEntryType.SymbolicLink, target));
        return this;
    }

    /// <summary>A blob at blobs/sha256/HEX; returns its digest.</summary>
    public string Blob(byte[] data)
    {
        string digest = DigestOf(data);
        if (!entries.Any(e => e.Name == "blobs/sha256/" + digest[7..]))
        {
            File("blobs/sha256/" + digest[7..], data);
        }

        return digest;
    }

    public byte[] Build()
    {
        using var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, data, type, link) in entries)
            {
                var e = new PaxTarEntry(type, name);
                if (link is not null)
                {
                    e.LinkName = link;
                }

                if (data is not null)
                {
                    e.DataStream = new MemoryStream(data);
                }

                w.WriteEntry(e);
            }
        }

        return ms.ToArray();
    }

    public static string DigestOf(byte[] data) => Digest.Sha256(SHA256.HashData(data)).ToString();

    /// <summary>A layer tar holding one file with this content.</summary>
    public static byte[] LayerTar(string file, string content) => new ArchiveBuilder().File(file, content).Build();

    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(data);
        }

        return ms.ToArray();
    }

    public static byte[] Zstd(byte[] data)
    {
        using var c = new ZstdSharp.Compressor();
        return c.Wrap(data).ToArray();
    }

    public static string Config(params byte[][] layerTars) =>
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-02T03:04:05Z\",\"config\":{\"Cmd\":[\"sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
        + string.Join(',', layerTars.Select(t => $"\"{DigestOf(t)}\"")) + "]}}";
}
