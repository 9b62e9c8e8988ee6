using System.Text;
using MyRuntime.Engine.Logs;

namespace MyRuntime.Tests.Engine.Logs;

public class JsonLogReaderTests
{
    private static readonly DateTimeOffset T0 = SteppingClock.Start;

    /// <summary>Writes "0\n".."count-1\n" (odd numbers to stderr), one second apart from T0.</summary>
    private static void WriteNumbers(string path, int count, long maxSize = 0, int maxFiles = 1)
    {
        using var writer = new JsonLogWriter(path, maxSize, maxFiles, new SteppingClock());
        for (int i = 0; i < count; i++)
        {
            writer.Write(i % 2 == 0 ? "stdout" : "stderr", Encoding.UTF8.GetBytes($"{i}\n"));
        }
    }

    private static (string Out, string Err) Print(string path, LogReadOptions options)
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        JsonLogReader.Print(path, options, stdout, stderr, () => false, CancellationToken.None);
        return (Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
    }

    private static string Numbers(params int[] n) => string.Concat(n.Select(i => $"{i}\n"));

    [Fact]
    public void Print_SplitsEntriesByStream()
    {
        using var dir = new TempDir();
        WriteNumbers(dir["log"], 6);
        Assert.Equal((Numbers(0, 2, 4), Numbers(1, 3, 5)), Print(dir["log"], new LogReadOptions()));
    }

    [Fact]
    public void Print_RestoresPartialAndEscapedTextByteForByte()
    {
        using var dir = new TempDir();
        byte[] text = Encoding.UTF8.GetBytes("a \"quoted\" \\ \t\a\0 é 日本\nprompt> " + new string('z', 40_000) + "\nend");
        using (var writer = new JsonLogWriter(dir["log"], 0, 1))
        {
            for (int at = 0; at < text.Length; at += 7)
            {
                writer.Write("stdout", text.AsSpan(at, Math.Min(7, text.Length - at)));
            }
        }

        Assert.Equal(Encoding.UTF8.GetString(text), Print(dir["log"], new LogReadOptions()).Out);
    }

    [Fact]
    public void Print_ReadsRotatedFilesOldestFirst()
    {
        using var dir = new TempDir();
        int entry = LogTestFiles.Entry("0\n", "stdout", T0).Length;
        WriteNumbers(dir["log"], 10, 3 * entry, 3);
        Assert.True(File.Exists(dir["log.2"]));
        Assert.Equal((Numbers(4, 6, 8), Numbers(3, 5, 7, 9)), Print(dir["log"], new LogReadOptions()));
    }

    [Theory]
    [InlineData(0, new int[0])]
    [InlineData(1, new[] { 9 })]
    [InlineData(2, new[] { 8, 9 })]
    [InlineData(4, new[] { 6, 7, 8, 9 })]
    [InlineData(5, new[] { 5, 6, 7, 8, 9 })]
    [InlineData(7, new[] { 3, 4, 5, 6, 7, 8, 9 })]
    [InlineData(100, new[] { 3, 4, 5, 6, 7, 8, 9 })]
    [InlineData(-1, new[] { 3, 4, 5, 6, 7, 8, 9 })]
    public void Print_TailCountsAcrossRotatedFiles(int tail, int[] expected)
    {
        using var dir = new TempDir();
        int entry = LogTestFiles.Entry("0\n", "stdout", T0).Length;
        WriteNumbers(dir["log"], 10, 3 * entry, 3);
        (string o, string e) = Print(dir["log"], new LogReadOptions { Tail = tail, Timestamps = true });
        var lines = (o + e).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(i => $"{LogTime.Format(T0.AddSeconds(i))} {i}"), lines);
    }

    [Fact]
    public void Print_TailOfALargeFile()
    {
        using var dir = new TempDir();
        WriteNumbers(dir["log"], 20_000);
        Assert.Equal((Numbers(19_996, 19_998), Numbers(19_997, 19_999)), Print(dir["log"], new LogReadOptions { Tail = 4 }));
    }

    [Fact]
    public void Print_TimestampsPrefixEachLine()
    {
        using var dir = new TempDir();
        WriteNumbers(dir["log"], 2);
        (string o, string e) = Print(dir["log"], new LogReadOptions { Timestamps = true });
        Assert.Equal("2026-12-02T10:51:07.000000000Z 0\n", o);
        Assert.Equal("2026-12-02T10:51:08.000000000Z 1\n", e);
    }

    [Fact]
    public void Print_SinceAndUntilAreInclusive()
    {
        using var dir = new TempDir();
        WriteNumbers(dir["log"], 10);
        Assert.Equal((Numbers(4, 6, 8), Numbers(5, 7, 9)), Print(dir["log"], new LogReadOptions { Since = T0.AddSeconds(4) }));
        Assert.Equal((Numbers(0, 2), Numbers(1)), Print(dir["log"], new LogReadOptions { Until = T0.AddSeconds(2) }));
        Assert.Equal((Numbers(4), Numbers(3, 5)),
            Print(dir["log"], new LogReadOptions { Since = T0.AddSeconds(2.5), Until = T0.AddSeconds(5) }));
        Assert.Equal((Numbers(8), Numbers(7, 9)), Print(dir["log"], new LogReadOptions { Since = T0.AddSeconds(7).ToOffset(TimeSpan.FromHours(-5)) }));
    }

    [Fact]
    public void Print_TailThenSince()
    {
        using var dir = new TempDir();
        WriteNumbers(dir["log"], 10);
        Assert.Equal((Numbers(8), Numbers(9)), Print(dir["log"], new LogReadOptions { Tail = 4, Since = T0.AddSeconds(8) }));
    }

    [Fact]
    public void Print_SkipsCorruptLastLineAndGarbage()
    {
        using var dir = new TempDir();
        string good1 = LogTestFiles.Entry("one\n", "stdout", T0);
        string good2 = LogTestFiles.Entry("two\n", "stderr", T0.AddSeconds(1));
        File.WriteAllText(dir["log.1"], good1 + "not json\n" + "{\"log\":\"x\\n\",\"stream\":\"stdin\",\"time\":\"2026-12-02T10:51:07Z\"}\n" +
            good1[..20]);
        File.WriteAllText(dir["log"], "{\"log\":\"no time\\n\",\"stream\":\"stdout\"}\n" + good2 + good1[..^5]);
        Assert.Equal(("one\n", "two\n"), Print(dir["log"], new LogReadOptions()));
        Assert.Equal(("", "two\n"), Print(dir["log"], new LogReadOptions { Tail = 1 }));
    }

    [Fact]
    public void Print_AcceptsDockerExtraAttributesAndShortFractions()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["log"],
            "{\"log\":\"a\\u0041\\n\",\"stream\":\"stdout\",\"attrs\":{\"tag\":\"x\",\"n\":[1,2]},\"time\":\"2026-12-02T10:51:07.5Z\"}\n");
        Assert.Equal(("2026-12-02T10:51:07.500000000Z aA\n", ""), Print(dir["log"], new LogReadOptions { Timestamps = true }));
    }

    [Fact]
    public void Print_MissingLogPrintsNothing()
    {
        using var dir = new TempDir();
        Assert.Equal(("", ""), Print(dir["log"], new LogReadOptions { Tail = 3 }));
    }

    [Fact]
    public void Print_SkipsAHugeRunOfGarbageWithoutNewline()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["log"], LogTestFiles.Entry("before\n", "stdout", T0) + new string('#', 3 * 1024 * 1024) + "\n" +
            LogTestFiles.Entry("after\n", "stdout", T0));
        Assert.Equal(("before\nafter\n", ""), Print(dir["log"], new LogReadOptions()));
    }
}
