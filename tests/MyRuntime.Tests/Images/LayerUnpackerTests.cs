using System.Formats.Tar;
using System.Security.Cryptography;
using MyRuntime.Images;
using MyRuntime.Images.Unpack;
using MyRuntime.Linux;
using static MyRuntime.Tests.Images.LayerTar;

namespace MyRuntime.Tests.Images;

public sealed class LayerUnpackerTests
{
    private static readonly UnpackOptions Unprivileged = new(Privileged: false);
    private static readonly UnpackOptions Privileged = new(Privileged: true);

    private static string Unpack(TempDir tmp, byte[] blob, UnpackOptions options, out string diffId)
    {
        string target = tmp.Dir("layer");
        diffId = LayerUnpacker.Unpack(new MemoryStream(blob), target, options).ToString();
        return target;
    }

    private static string Sha256(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    [Theory]
    [InlineData("plain")]
    [InlineData("gzip")]
    [InlineData("zstd")]
    public void Compressions_GiveTheSameFilesAndTheDiffIdOfTheUncompressedTar(string compression)
    {
        byte[] tar = Build(Dir("etc"), File("etc/hostname", "box\n"), File("top", new string('x', 100_000)));
        byte[] blob = compression switch { "gzip" => Gzip(tar), "zstd" => Zstd(tar), _ => tar };
        using var tmp = new TempDir();
        string layer = Unpack(tmp, blob, Unprivileged, out string diffId);
        Assert.Equal(Sha256(tar), diffId);
        Assert.Equal("box\n", System.IO.File.ReadAllText(Path.Combine(layer, "etc/hostname")));
        Assert.Equal(100_000, new FileInfo(Path.Combine(layer, "top")).Length);
    }

    [Fact]
    public void EntryKinds_ModesMtimesAndLinks()
    {
        string longName = string.Join('/', Enumerable.Repeat("a-rather-long-directory-name", 6)) + "/file";
        byte[] tar = Build(
            Dir("bin"),
            File("bin/su", "su", (UnixFileMode)0x9ed /* 04755 */),
            File("bin/sg", "sg", (UnixFileMode)0x5ed /* 02755 */),
            Dir("tmp", (UnixFileMode)0x3ff /* 01777 */),
            Dir("ro", (UnixFileMode)0x16d /* 0555 */),
            File("ro/inside", "in ro"),
            Symlink("bin/sh", "/bin/busybox"),
            Symlink("lib", "usr/lib"),
            HardLink("bin/su2", "bin/su"),
            File(longName, "long"),
            new GnuTarEntry(TarEntryType.RegularFile, "gnu/" + longName) { DataStream = new MemoryStream("gnu"u8.ToArray()), ModificationTime = Mtime },
            new GnuTarEntry(TarEntryType.SymbolicLink, "gnu/link") { LinkName = "/" + longName, ModificationTime = Mtime });
        using var tmp = new TempDir();
        string layer = Unpack(tmp, tar, Unprivileged, out string diffId);
        Assert.Equal(Sha256(tar), diffId);

        Assert.Equal(0x9edu, Mode(layer, "bin/su"));
        Assert.Equal(0x5edu, Mode(layer, "bin/sg"));
        Assert.Equal(0x3ffu, Mode(layer, "tmp"));
        Assert.Equal(0x16du, Mode(layer, "ro"));
        Assert.Equal("in ro", System.IO.File.ReadAllText(Path.Combine(layer, "ro/inside")));
        Assert.Equal("/bin/busybox", new FileInfo(Path.Combine(layer, "bin/sh")).LinkTarget);
        Assert.Equal("usr/lib", new FileInfo(Path.Combine(layer, "lib")).LinkTarget);
        Assert.Equal("long", System.IO.File.ReadAllText(Path.Combine(layer, longName)));
        Assert.Equal("gnu", System.IO.File.ReadAllText(Path.Combine(layer, "gnu", longName)));
        Assert.Equal("/" + longName, new FileInfo(Path.Combine(layer, "gnu/link")).LinkTarget);

        var su = Stat(layer, "bin/su");
        var su2 = Stat(layer, "bin/su2");
        Assert.Equal(su.Inode, su2.Inode);
        Assert.Equal(2u, su.Links);

        long expected = Mtime.ToUnixTimeSeconds();
        Assert.Equal(expected, Stat(layer, "bin/su").MtimeSeconds);
        Assert.Equal(expected, Stat(layer, "bin/sh").MtimeSeconds);
        Assert.Equal(expected, Stat(layer, "ro").MtimeSeconds);
        Assert.Equal(expected, Stat(layer, "bin").MtimeSeconds);
    }

    [Fact]
    public void NameReplacedByOtherKind_AsTarDoes()
    {
        byte[] tar = Build(Dir("d"), Dir("d/sub"), File("d/x", "x"), File("f", "f"), File("d", "now a file"), Dir("f"), File("f/y", "y"));
        using var tmp = new TempDir();
        string layer = Unpack(tmp, tar, Unprivileged, out _);
        Assert.Equal("now a file", System.IO.File.ReadAllText(Path.Combine(layer, "d")));
        Assert.Equal(LayerTar.Mtime.ToUnixTimeSeconds(), Stat(layer, "f").MtimeSeconds);
        Assert.Equal("y", System.IO.File.ReadAllText(Path.Combine(layer, "f/y")));
    }

    [Fact]
    public void MissingParents_AreMade()
    {
        byte[] tar = Build(File("usr/share/doc/readme", "r"));
        using var tmp = new TempDir();
        string layer = Unpack(tmp, tar, Unprivileged, out _);
        Assert.Equal("r", System.IO.File.ReadAllText(Path.Combine(layer, "usr/share/doc/readme")));
    }

    [Fact]
    public void UserXattr_IsSet()
    {
        byte[] tar = Build(File("f", "x", pax: new() { ["SCHILY.xattr.user.note"] = "hello" }));
        using var tmp = new TempDir();
        string layer = Unpack(tmp, tar, Unprivileged, out _);
        byte[]? value = Xattrs.Get(Path.Combine(layer, "f"), "user.note");
        if (value is not null || !XattrsUnsupported(layer))
        {
            Assert.Equal("hello"u8.ToArray(), value);
        }
    }

    [Fact]
    public void Unprivileged_SkipsDevicesAndFifos_AndRefusesWhiteouts()
    {
        byte[] tar = Build(
            new PaxTarEntry(TarEntryType.CharacterDevice, "null") { DeviceMajor = 1, DeviceMinor = 3 },
            new PaxTarEntry(TarEntryType.Fifo, "fifo"),
            File("kept"));
        using var tmp = new TempDir();
        string layer = Unpack(tmp, tar, Unprivileged, out _);
        Assert.Equal(["kept"], Directory.EnumerateFileSystemEntries(layer).Select(Path.GetFileName));

        using var tmp2 = new TempDir();
        var e = Assert.Throws<ImagesException>(() => Unpack(tmp2, Build(File(".wh.gone")), Unprivileged, out _));
        Assert.Contains(".wh.gone", e.Message, StringComparison.Ordinal);
    }

    [RootFact]
    public void Privileged_DevicesFifosOwnershipAndCapabilities()
    {
        // vfs_cap_data v2, effective, permitted = cap_setuid (7) | cap_net_raw (13) | cap_net_bind_service (10), and
        // inheritable 0xff bytes: not UTF-8, so TarReader's decoded text would not give it back.
        byte[] cap = [0x01, 0x00, 0x00, 0x02, 0x80, 0x24, 0x00, 0x00, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        string placeholder = new('Q', cap.Length);
        var ping = File("bin/ping", "ping", (UnixFileMode)0xded /* 06755 */, new() { ["SCHILY.xattr.security.capability"] = placeholder });
        ping.Uid = 0;
        ping.Gid = 0;
        var owned = File("home/user/file", "mine");
        owned.Uid = 1234;
        owned.Gid = 5678;
        byte[] tar = WithBytes(Build(
            new PaxTarEntry(TarEntryType.CharacterDevice, "dev/null") { DeviceMajor = 1, DeviceMinor = 3, Mode = (UnixFileMode)0x1b6 },
            new PaxTarEntry(TarEntryType.BlockDevice, "dev/loop9") { DeviceMajor = 7, DeviceMinor = 9, Mode = (UnixFileMode)0x180 },
            new PaxTarEntry(TarEntryType.Fifo, "run/fifo") { Mode = (UnixFileMode)0x180 },
            ping,
            owned), System.Text.Encoding.ASCII.GetBytes(placeholder), cap);
        using var tmp = new TempDir();
        string layer = Unpack(tmp, tar, Privileged, out _);

        var dev = Stat(layer, "dev/null");
        Assert.Equal(Files.S_IFCHR | 0x1b6, dev.Mode);
        Assert.Equal((1u, 3u), (dev.RdevMajor, dev.RdevMinor));
        var blk = Stat(layer, "dev/loop9");
        Assert.Equal(Files.S_IFBLK, blk.Type);
        Assert.Equal((7u, 9u), (blk.RdevMajor, blk.RdevMinor));
        Assert.Equal(Files.S_IFIFO, Stat(layer, "run/fifo").Type);
        Assert.Equal((1234u, 5678u), (Stat(layer, "home/user/file").Uid, Stat(layer, "home/user/file").Gid));
        Assert.Equal(0xdedu, Mode(layer, "bin/ping"));
        Assert.Equal(cap, Xattrs.Get(Path.Combine(layer, "bin/ping"), "security.capability"));
    }

    [RootFact]
    public void Whiteouts_BecomeOverlayCharDevicesAndOpaqueXattrs()
    {
        var wh = File("etc/.wh.passwd");
        wh.Uid = 0;
        byte[] tar = Build(Dir("etc"), wh, Dir("var/cache"), File("var/cache/.wh..wh..opq"), File("var/cache/new", "n"), File("x/.wh..wh.plnk"));
        using var tmp = new TempDir();
        string layer = Unpack(tmp, tar, Privileged, out _);
        var st = Stat(layer, "etc/passwd");
        Assert.Equal(Files.S_IFCHR, st.Type);
        Assert.Equal((0u, 0u), (st.RdevMajor, st.RdevMinor));
        Assert.False(System.IO.File.Exists(Path.Combine(layer, "etc/.wh.passwd")));
        Assert.Equal("y"u8.ToArray(), Xattrs.Get(Path.Combine(layer, "var/cache"), "trusted.overlay.opaque"));
        Assert.False(System.IO.File.Exists(Path.Combine(layer, "var/cache/.wh..wh..opq")));
        Assert.True(System.IO.File.Exists(Path.Combine(layer, "var/cache/new")));
        Assert.False(Path.Exists(Path.Combine(layer, "x/.wh..wh.plnk")));
    }

    [Theory]
    [InlineData("posix")]
    [InlineData("gnu")]
    public void GnuTarOutput_Unpacks(string format)
    {
        using var tmp = new TempDir();
        string src = tmp.Dir("src");
        string longName = string.Join('/', Enumerable.Repeat("directory-with-a-long-name", 5)) + "/file";
        tmp.File("src/" + longName, "long");
        tmp.File("src/bin/tool", "tool");
        Files.Chmod(Path.Combine(src, "bin/tool"), 0x9ed);
        tmp.Symlink("src/bin/alias", "tool");
        FileNodes.LinkAt(FileNodes.AT_FDCWD, Path.Combine(src, "bin/tool"), FileNodes.AT_FDCWD, Path.Combine(src, "bin/hard"), "hard");
        bool xattrs = Xattrs.TrySet(Path.Combine(src, "bin/tool"), "user.origin", "gnu-tar"u8) == 0;
        string[] xattrArgs = format == "posix" ? ["--xattrs", "--xattrs-include=user.*"] : [];
        var psi = new System.Diagnostics.ProcessStartInfo("tar", [.. xattrArgs, $"--format={format}", "-C", src, "-cf", "-", "."])
        {
            RedirectStandardOutput = true,
        };
        using var tar = System.Diagnostics.Process.Start(psi)!;
        using var bytes = new MemoryStream();
        tar.StandardOutput.BaseStream.CopyTo(bytes);
        tar.WaitForExit();
        Assert.Equal(0, tar.ExitCode);

        string layer = Unpack(tmp, bytes.ToArray(), Unprivileged, out string diffId);
        Assert.Equal(Sha256(bytes.ToArray()), diffId);
        Assert.Equal("long", System.IO.File.ReadAllText(Path.Combine(layer, longName)));
        Assert.Equal(0x9edu, Mode(layer, "bin/tool"));
        Assert.Equal("tool", new FileInfo(Path.Combine(layer, "bin/alias")).LinkTarget);
        Assert.Equal(Stat(layer, "bin/tool").Inode, Stat(layer, "bin/hard").Inode);
        if (xattrs && format == "posix")
        {
            Assert.Equal("gnu-tar"u8.ToArray(), Xattrs.Get(Path.Combine(layer, "bin/tool"), "user.origin"));
        }
    }

    [Fact]
    public void NotATar_IsAClearError()
    {
        using var tmp = new TempDir();
        byte[] junk = Gzip(System.Text.Encoding.ASCII.GetBytes(new string('z', 2000)));
        var e = Assert.Throws<ImagesException>(() => Unpack(tmp, junk, Unprivileged, out _));
        Assert.Contains("not a valid tar", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The tar with the (one) occurrence of <paramref name="placeholder"/> replaced by bytes of the same length.</summary>
    private static byte[] WithBytes(byte[] tar, byte[] placeholder, byte[] bytes)
    {
        int at = tar.AsSpan().IndexOf(placeholder);
        Assert.True(at >= 0);
        bytes.CopyTo(tar, at);
        return tar;
    }

    internal static FileStatus Stat(string layer, string rel) => FileMetadata.TryLstat(Path.Combine(layer, rel)) ?? throw new FileNotFoundException(rel);

    private static uint Mode(string layer, string rel) => Stat(layer, rel).Mode & 0xfff;

    private static bool XattrsUnsupported(string dir) => Xattrs.TrySet(dir, "user.probe", "1"u8) == -Errno.ENOTSUP;
}
