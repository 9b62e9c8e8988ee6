using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace MyRuntime.Tests.Images;

/// <summary>Builds layer tars in memory for the unpacking tests.</summary>
public static class LayerTar
{
    public static readonly DateTimeOffset Mtime = new(2021, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public static byte[] Build(params TarEntry[] entries)
    {
        using var ms = new MemoryStream();
        using (var writer = new TarWriter(ms, leaveOpen: true))
        {
            foreach (var e in entries)
            {
                writer.WriteEntry(e);
            }
        }

        return ms.ToArray();
    }

    public static PaxTarEntry File(string name, string content = "", UnixFileMode mode = (UnixFileMode)0x1a4, Dictionary<string, string>? pax = null)
    {
        var e = pax is null ? new PaxTarEntry(TarEntryType.RegularFile, name) : new PaxTarEntry(TarEntryType.RegularFile, name, pax);
        e.Mode = mode;
        e.ModificationTime = Mtime;
        e.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        return e;
    }

    public static PaxTarEntry Dir(string name, UnixFileMode mode = (UnixFileMode)0x1ed)
    {
        var e = new PaxTarEntry(TarEntryType.Directory, name) { Mode = mode, ModificationTime = Mtime };
        return e;
    }

    public static PaxTarEntry Symlink(string name, string target) =>
        new(TarEntryType.SymbolicLink, name) { LinkName = target, ModificationTime = Mtime, Mode = (UnixFileMode)0x1ff };

    public static PaxTarEntry HardLink(string name, string target) =>
        new(TarEntryType.HardLink, name) { LinkName = target, ModificationTime = Mtime };

    public static byte[] Gzip(byte[] tar)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(tar);
        }

        return ms.ToArray();
    }

    public static byte[] Zstd(byte[] tar)
    {
        using var c = new ZstdSharp.Compressor();
        return c.Wrap(tar).ToArray();
    }
}
