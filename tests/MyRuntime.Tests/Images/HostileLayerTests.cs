using System.Formats.Tar;
using MyRuntime.Images;
using MyRuntime.Images.Unpack;
using static MyRuntime.Tests.Images.LayerTar;

namespace MyRuntime.Tests.Images;

/// <summary>Each hostile layer is refused with an error naming the entry, and a sentinel directory beside the
/// target stays exactly as it was.</summary>
public sealed class HostileLayerTests
{
    private const string Outside = "@OUTSIDE@";

    public static TheoryData<string, string, string> Cases => new()
    {
        // case, entries (kind:name[>target]; separated by |), the entry the message must name
        { "dotdot", "f:../outside/pwned", "../outside/pwned" },
        { "dotdot-inside-name", "f:a/b/../../../outside/pwned", "a/b/../../../outside/pwned" },
        { "absolute-dotdot", "f:/../outside/pwned", "/../outside/pwned" },
        { "relative-symlink-out", "l:evil>../outside|f:evil/pwned", "evil/pwned" },
        { "absolute-symlink-out", $"l:evil>{Outside}|f:evil/pwned", "evil/pwned" },
        { "symlink-out-deeper", $"d:a|l:a/b>../../outside|f:a/b/c/pwned", "a/b/c/pwned" },
        { "symlink-dir-then-dir", $"l:evil>{Outside}|d:evil/sub", "evil/sub" },
        { "hardlink-dotdot", "h:hl>../outside/sentinel", "hl" },
        { "hardlink-through-symlink", $"l:evil>{Outside}|h:hl>evil/sentinel", "hl" },
        { "hardlink-absent", "h:hl>not/there", "hl" },
        { "hardlink-absolute-outside", $"h:hl>{Outside}/sentinel", "hl" },
        { "nul-in-name", "f:bad\0name", "bad\\0name" },
        { "nul-in-link-target", "l:bad>x\0y", "bad" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Refused_AndNothingOutsideChanges(string name, string spec, string named)
    {
        using var tmp = new TempDir();
        string outside = tmp.Dir("outside");
        System.IO.File.WriteAllText(Path.Combine(outside, "sentinel"), "untouched");
        string target = tmp.Dir("target");
        byte[] tar = Build([.. spec.Split('|').Select(s => Entry(s.Replace(Outside, outside, StringComparison.Ordinal)))]);

        var e = Assert.Throws<ImagesException>(() => LayerUnpacker.Unpack(new MemoryStream(tar), target, new UnpackOptions(false)));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length > 0 && !e.Message.Contains('\n', StringComparison.Ordinal), name);
        AssertUntouched(outside);
    }

    [Fact]
    public void AbsoluteNames_LandInsideTheLayer()
    {
        using var tmp = new TempDir();
        string outside = tmp.Dir("outside");
        System.IO.File.WriteAllText(Path.Combine(outside, "sentinel"), "untouched");
        string target = tmp.Dir("target");
        byte[] tar = Build(File(Path.Combine(outside, "sentinel"), "inside"), File("/etc/passwd", "root"));
        LayerUnpacker.Unpack(new MemoryStream(tar), target, new UnpackOptions(false));
        Assert.Equal("inside", System.IO.File.ReadAllText(target + outside + "/sentinel"));
        Assert.Equal("root", System.IO.File.ReadAllText(Path.Combine(target, "etc/passwd")));
        AssertUntouched(outside);
    }

    [Fact]
    public void FileOverASymlinkToOutside_ReplacesTheLink()
    {
        using var tmp = new TempDir();
        string outside = tmp.Dir("outside");
        System.IO.File.WriteAllText(Path.Combine(outside, "sentinel"), "untouched");
        string target = tmp.Dir("target");
        byte[] tar = Build(Symlink("evil", Path.Combine(outside, "sentinel")), File("evil", "replaced"), Symlink("d", outside), Dir("d"));
        LayerUnpacker.Unpack(new MemoryStream(tar), target, new UnpackOptions(false));
        Assert.Equal("replaced", System.IO.File.ReadAllText(Path.Combine(target, "evil")));
        Assert.Null(new FileInfo(Path.Combine(target, "evil")).LinkTarget);
        Assert.Null(new DirectoryInfo(Path.Combine(target, "d")).LinkTarget);
        AssertUntouched(outside);
    }

    [Fact]
    public void SymlinksInsideTheLayer_MayBeFollowed()
    {
        using var tmp = new TempDir();
        string target = tmp.Dir("target");
        byte[] tar = Build(Dir("usr/lib"), Symlink("lib", "usr/lib"), File("lib/libc.so", "c"), Symlink("usr/lib64", "../usr/lib"), File("usr/lib64/x", "x"));
        LayerUnpacker.Unpack(new MemoryStream(tar), target, new UnpackOptions(false));
        Assert.Equal("c", System.IO.File.ReadAllText(Path.Combine(target, "usr/lib/libc.so")));
        Assert.Equal("x", System.IO.File.ReadAllText(Path.Combine(target, "usr/lib/x")));
    }

    private static void AssertUntouched(string outside)
    {
        Assert.Equal(["sentinel"], Directory.EnumerateFileSystemEntries(outside).Select(Path.GetFileName));
        Assert.Equal("untouched", System.IO.File.ReadAllText(Path.Combine(outside, "sentinel")));
    }

    private static TarEntry Entry(string spec)
    {
        string kind = spec[..1];
        string rest = spec[2..];
        string[] parts = rest.Split('>', 2);
        return kind switch
        {
            "f" => File(parts[0], "pwned"),
            "d" => Dir(parts[0]),
            "l" => Symlink(parts[0], parts[1]),
            "h" => HardLink(parts[0], parts[1]),
            _ => throw new ArgumentException(spec),
        };
    }
}
