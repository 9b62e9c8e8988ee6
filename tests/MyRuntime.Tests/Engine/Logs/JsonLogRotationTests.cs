using System.Text;
using MyRuntime.Engine.Logs;

namespace MyRuntime.Tests.Engine.Logs;

public class JsonLogRotationTests
{
    // Each entry "N\n" stamped by the stepping clock is exactly this many bytes long.
    private static readonly int EntrySize = LogTestFiles.Entry("0\n", "stdout", SteppingClock.Start).Length;

    private static void WriteNumbers(string path, long maxSize, int maxFiles, int count)
    {
        using var writer = new JsonLogWriter(path, maxSize, maxFiles, new SteppingClock());
        for (int i = 0; i < count; i++)
        {
            writer.Write("stdout", Encoding.UTF8.GetBytes($"{i}\n"));
        }
    }

    private static List<string> Logs(string path) => LogTestFiles.Read(path).Select(l => l.Log.TrimEnd('\n')).ToList();

    [Fact]
    public void Rotation_ThreeFilesKeepsTheNewestEntries()
    {
        using var dir = new TempDir();
        string path = dir["log"];
        WriteNumbers(path, 3 * EntrySize, 3, 10);
        Assert.Equal(["9"], Logs(path));
        Assert.Equal(["6", "7", "8"], Logs(path + ".1"));
        Assert.Equal(["3", "4", "5"], Logs(path + ".2"));
        Assert.False(File.Exists(path + ".3"));
        Assert.All(new[] { path, path + ".1", path + ".2" }, f => Assert.True(new FileInfo(f).Length <= 3 * EntrySize));
    }

    [Fact]
    public void Rotation_TwoFiles()
    {
        using var dir = new TempDir();
        string path = dir["log"];
        WriteNumbers(path, 2 * EntrySize, 2, 7);
        Assert.Equal(["6"], Logs(path));
        Assert.Equal(["4", "5"], Logs(path + ".1"));
        Assert.False(File.Exists(path + ".2"));
    }

    [Fact]
    public void Rotation_OneFileStartsOver()
    {
        using var dir = new TempDir();
        string path = dir["log"];
        WriteNumbers(path, 4 * EntrySize, 1, 10);
        Assert.Equal(["8", "9"], Logs(path));
        Assert.False(File.Exists(path + ".1"));
    }

    [Fact]
    public void Rotation_SizeNotReachedKeepsOneFile()
    {
        using var dir = new TempDir();
        string path = dir["log"];
        WriteNumbers(path, 10 * EntrySize, 3, 10);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), Logs(path));
        Assert.False(File.Exists(path + ".1"));
    }

    [Fact]
    public void Rotation_NoLimitWithZeroSize()
    {
        using var dir = new TempDir();
        string path = dir["log"];
        WriteNumbers(path, 0, 3, 500);
        Assert.Equal(500, Logs(path).Count);
        Assert.False(File.Exists(path + ".1"));
    }

    [Fact]
    public void Rotation_AnEntryLargerThanMaxSizeStillGoesInAFileOfItsOwn()
    {
        using var dir = new TempDir();
        string path = dir["log"];
        using (var writer = new JsonLogWriter(path, 10, 3))
        {
            writer.Write("stdout", "first\nsecond\n"u8);
        }

        Assert.Equal(["second"], Logs(path));
        Assert.Equal(["first"], Logs(path + ".1"));
    }

    [Fact]
    public void Rotation_CountsWhatTheFileAlreadyHeld()
    {
        using var dir = new TempDir();
        string path = dir["log"];
        WriteNumbers(path, 3 * EntrySize, 3, 2);
        WriteNumbers(path, 3 * EntrySize, 3, 2);
        Assert.Equal(["1"], Logs(path));
        Assert.Equal(["0", "1", "0"], Logs(path + ".1"));
    }

    [Fact]
    public void Rotation_FailureIsAnEngineErrorAndTheWriterRecovers()
    {
        using var dir = new TempDir();
        string path = dir["log"];
        dir.File("log.1/blocker", "x");
        using var writer = new JsonLogWriter(path, 10, 2);
        writer.Write("stdout", "first\n"u8);
        var e = Assert.Throws<MyRuntime.Engine.EngineException>(() => writer.Write("stdout", "second\n"u8));
        Assert.StartsWith($"cannot rotate log file {path}", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(["first"], Logs(path));
        Directory.Delete(path + ".1", recursive: true);
        writer.Write("stdout", "third\n"u8);
        Assert.Equal(["third"], Logs(path));
        Assert.Equal(["first"], Logs(path + ".1"));
    }
}
