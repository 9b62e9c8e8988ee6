using System.Formats.Tar;
using System.Text;
using static MyRuntime.Tests.Images.LayerTar;

namespace MyRuntime.Tests.Fuzz;

/// <summary>Layer seeds made in memory: ordinary layers (files, directories, links, whiteouts, xattrs, devices,
/// long names, GNU and V7 formats; gzip and zstd) and hostile ones (names and links that climb out, symlinks then
/// writes through them, hard links out, a PAX size that lies, a truncated stream, huge PAX and GNU long-name
/// headers).</summary>
public static class LayerSeeds
{
    public static IEnumerable<(string Name, byte[] Tar)> All()
    {
        byte[] plain = Build(Dir("etc"), File("etc/passwd", "root:x:0:0::/root:/bin/sh\n"), Symlink("bin", "usr/bin"),
            Dir("usr/bin"), File("usr/bin/sh", "#!", (UnixFileMode)0x9ed), HardLink("usr/bin/ash", "usr/bin/sh"));
        yield return ("plain", plain);
        yield return ("gzip", Gzip(plain));
        yield return ("zstd", Zstd(plain));
        yield return ("truncated", plain[..700]);
        yield return ("truncated-gzip", Gzip(plain)[..40]);
        yield return ("whiteouts", Build(Dir("a"), File("a/.wh.gone"), File("a/.wh..wh..opq"), File(".wh..wh.plnk")));
        yield return ("xattrs", Build(File("f", "x", pax: new() { ["SCHILY.xattr.user.k"] = "v", ["SCHILY.xattr.security.capability"] = "\u0001\u0002" })));
        yield return ("devices", Build(new PaxTarEntry(TarEntryType.CharacterDevice, "null") { DeviceMajor = 1, DeviceMinor = 3 },
            new PaxTarEntry(TarEntryType.Fifo, "fifo")));
        yield return ("long-name", Build(File(string.Join('/', Enumerable.Repeat("d", 150)) + "/f", "x")));
        yield return ("gnu", Gnu(new GnuTarEntry(TarEntryType.RegularFile, new string('g', 200)) { DataStream = new MemoryStream("x"u8.ToArray()) },
            new GnuTarEntry(TarEntryType.SymbolicLink, "l") { LinkName = new string('t', 300) }));
        yield return ("v7", Gnu(new V7TarEntry(TarEntryType.V7RegularFile, "v7file") { DataStream = new MemoryStream("x"u8.ToArray()) }));
        yield return ("dotdot", Build(File("../outside/pwned", "x")));
        yield return ("dotdot-deep", Build(File("x/../../../outside/pwned", "x")));
        yield return ("symlink-out", Build(Symlink("evil", "../../outside"), File("evil/pwned", "x")));
        yield return ("symlink-abs", Build(Symlink("evil", "/"), File("evil/tmp/pwned", "x")));
        yield return ("symlink-chain", Build(Dir("a"), Symlink("a/b", ".."), Symlink("a/c", "b/.."), File("a/c/../pwned", "x")));
        yield return ("symlink-replace-dir", Build(Dir("d"), File("d/f", "x"), Symlink("d", "../outside"), Dir("d"), File("d/g", "y")));
        yield return ("hardlink-out", Build(HardLink("hl", "../outside/sentinel")));
        yield return ("hardlink-through-symlink", Build(Symlink("evil", "../../outside"), HardLink("hl", "evil/sentinel")));
        yield return ("hardlink-then-write", Build(File("f", "a"), HardLink("g", "f"), File("g", "b")));
        yield return ("pax-size-lies", Build(File("f", "content", pax: new() { ["size"] = "99999999" })));
        yield return ("root-entries", Build(Dir("/"), Dir("."), File("./f", "x")));
        yield return ("huge-pax-size", Header("PaxHeaders/x", 'x', 0x7fff_fff0, "20 path=aaaaaaaaaaa\n"));
        yield return ("huge-gnu-longname", Header("././@LongLink", 'L', 0x7fff_fff0, "20 path=aaaaaaaaaaa\n"));
        yield return ("pax-record-shorter-than-its-length", [.. Header("PaxHeaders/x", 'x', 6, "2 a=b\n"), .. Build(File("f", "x"))]);
        yield return ("pax-record-longer-than-data", [.. Header("PaxHeaders/x", 'x', 6, "9 a=b\n"), .. Build(File("f", "x"))]);
    }

    private static byte[] Gnu(params TarEntry[] entries)
    {
        using var ms = new MemoryStream();
        using (var writer = new TarWriter(ms, TarEntryFormat.Gnu, leaveOpen: true))
        {
            foreach (var e in entries)
            {
                writer.WriteEntry(e);
            }
        }

        return ms.ToArray();
    }

    /// <summary>One ustar header whose size field says <paramref name="size"/> (which need not be true: a length
    /// field that must not be trusted to allocate), then one block holding <paramref name="data"/>.</summary>
    private static byte[] Header(string name, char type, long size, string data)
    {
        byte[] block = new byte[512 * 2];
        Encoding.ASCII.GetBytes(name).CopyTo(block, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(block, 100);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(block, 108);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(block, 116);
        Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0') + "\0").CopyTo(block, 124);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(block, 136);
        block[156] = (byte)type;
        Encoding.ASCII.GetBytes("ustar\000").CopyTo(block, 257);
        block.AsSpan(148, 8).Fill((byte)' ');
        int sum = block.AsSpan(0, 512).ToArray().Sum(b => b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(block, 148);
        Encoding.ASCII.GetBytes(data).CopyTo(block.AsSpan(512));
        return block;
    }
}
