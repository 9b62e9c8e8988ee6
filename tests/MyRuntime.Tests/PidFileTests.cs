using MyRuntime.Runtime.Container;

namespace MyRuntime.Tests;

public sealed class PidFileTests : IDisposable
{
    private readonly TempDir tmp = new();

    public void Dispose() => tmp.Dispose();

    [Fact]
    public void WritePidFile_WritesTheNumberOnly()
    {
        Creator.WritePidFile(tmp["pid"], 12345);

        Assert.Equal("12345", File.ReadAllText(tmp["pid"]));
    }

    [Fact]
    public void WritePidFile_ReplacesAnOldFileAndLeavesNoTemp()
    {
        tmp.File("pid", "999999");

        Creator.WritePidFile(tmp["pid"], 7);

        Assert.Equal("7", File.ReadAllText(tmp["pid"]));
        Assert.Equal(["pid"], Directory.GetFiles(tmp.Path).Select(Path.GetFileName));
    }
}
