using MyRuntime.Engine.Init;

namespace MyRuntime.Tests.Engine.Init;

public class InitCommandTests
{
    [Fact]
    public void Parse_DropsOneLeadingDoubleDash()
    {
        Assert.Equal(["sh", "-c", "x"], InitCommand.Parse(["--", "sh", "-c", "x"]));
        Assert.Equal(["sh", "--", "x"], InitCommand.Parse(["sh", "--", "x"]));
        Assert.Equal(["--", "x"], InitCommand.Parse(["--", "--", "x"]));
    }

    [Fact]
    public void Parse_NoCommand_IsNull()
    {
        Assert.Null(InitCommand.Parse([]));
        Assert.Null(InitCommand.Parse(["--"]));
        Assert.Null(InitCommand.Parse(["--", ""]));
    }

    [Fact]
    public void Resolve_SearchesPathInOrder_SkippingNonExecutables()
    {
        var files = new HashSet<string> { "/a/prog", "/b/prog", "/c/prog" };
        var executable = new HashSet<string> { "/b/prog", "/c/prog" };

        var (path, denied) = InitCommand.Resolve("prog", "/a:/b/:/c", files.Contains, executable.Contains);

        Assert.Equal("/b/prog", path);
        Assert.False(denied);
    }

    [Fact]
    public void Resolve_OnlyNonExecutableMatches_IsDenied()
    {
        var (path, denied) = InitCommand.Resolve("prog", "/a:/b", p => p == "/a/prog", _ => false);

        Assert.Null(path);
        Assert.True(denied);
    }

    [Fact]
    public void Resolve_Missing_IsNotFoundNotDenied()
    {
        var (path, denied) = InitCommand.Resolve("prog", "/a:/b", _ => false, _ => true);

        Assert.Null(path);
        Assert.False(denied);
    }

    [Fact]
    public void Resolve_NameWithSlash_IsUsedAsIs()
    {
        Assert.Equal("./x/prog", InitCommand.Resolve("./x/prog", "/a", p => p == "./x/prog", _ => true).Path);
        Assert.Null(InitCommand.Resolve("/a/prog", "/a", _ => false, _ => true).Path);
    }

    [Fact]
    public void Resolve_EmptyEntryIsTheCurrentDirectory_UnsetPathIsGlibcsDefault()
    {
        Assert.Equal("prog", InitCommand.Resolve("prog", "/a::/b", p => p == "prog", _ => true).Path);
        Assert.Equal("/usr/bin/prog", InitCommand.Resolve("prog", null, p => p == "/usr/bin/prog", _ => true).Path);
    }

    [Fact]
    public void Resolve_RealPath_FindsSh()
    {
        var (path, _) = InitCommand.Resolve("sh", "/nonexistent:/bin", File.Exists, MyRuntime.Linux.Files.IsExecutable);

        Assert.Equal("/bin/sh", path);
    }
}
