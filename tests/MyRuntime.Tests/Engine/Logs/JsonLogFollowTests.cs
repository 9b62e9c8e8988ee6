using System.Diagnostics;
using System.Text;
using MyRuntime.Engine.Logs;

namespace MyRuntime.Tests.Engine.Logs;

public class JsonLogFollowTests
{
    /// <summary>A stream the follower writes to while the test thread reads it.</summary>
    private sealed class SharedStream : MemoryStream
    {
        private readonly object _lock = new();

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (_lock)
            {
                base.Write(buffer, offset, count);
            }
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            lock (_lock)
            {
                base.Write(buffer);
            }
        }

        public string Text()
        {
            lock (_lock)
            {
                return Encoding.UTF8.GetString(ToArray());
            }
        }
    }

    private static void WaitFor(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "timed out waiting for the follower");
            Thread.Sleep(10);
        }
    }

    private static string Numbers(int from, int to) => string.Concat(Enumerable.Range(from, to - from).Select(i => $"line {i}\n"));

    [Theory]
    [InlineData(0, 1)]
    [InlineData(600, 1)]
    [InlineData(600, 3)]
    public void Follow_PrintsWhatIsWrittenUntilTheWriterStops(long maxSize, int maxFiles)
    {
        const int Lines = 60;
        using var dir = new TempDir();
        string path = dir["log"];
        using var stdout = new SharedStream();
        using var stderr = new SharedStream();
        int running = 1;
        Thread follower;
        using (var writer = new JsonLogWriter(path, maxSize, maxFiles))
        {
            writer.Write("stdout", Encoding.UTF8.GetBytes(Numbers(0, 3)));
            follower = new Thread(() => JsonLogReader.Print(path, new LogReadOptions { Follow = true }, stdout, stderr,
                () => Volatile.Read(ref running) == 1, CancellationToken.None));
            follower.Start();
            WaitFor(() => stdout.Text() == Numbers(0, 3));
            for (int i = 3; i < Lines; i++)
            {
                writer.Write("stdout", Encoding.UTF8.GetBytes($"line {i}\n"));
                if (i % 3 == 0)
                {
                    // Slow enough that the follower keeps up with the rotations.
                    WaitFor(() => stdout.Text().EndsWith($"line {i}\n", StringComparison.Ordinal));
                }
            }

            writer.Write("stderr", "bye"u8);
        }

        Volatile.Write(ref running, 0);
        Assert.True(follower.Join(TimeSpan.FromSeconds(20)), "the follower stops once the writer is gone");
        Assert.Equal(Numbers(0, Lines), stdout.Text());
        Assert.Equal("bye", stderr.Text());
        if (maxSize > 0 && maxFiles > 1)
        {
            Assert.True(File.Exists(path + ".1"));
        }
    }

    [Fact]
    public void Follow_WithTailZeroPrintsOnlyNewEntries()
    {
        using var dir = new TempDir();
        string path = dir["log"];
        using var stdout = new SharedStream();
        using var stderr = new SharedStream();
        using var cts = new CancellationTokenSource();
        using var writer = new JsonLogWriter(path, 0, 1);
        writer.Write("stdout", "old\n"u8);
        var follower = new Thread(() => JsonLogReader.Print(path, new LogReadOptions { Follow = true, Tail = 0 }, stdout, stderr,
            () => true, cts.Token));
        follower.Start();
        try
        {
            Thread.Sleep(300);
            writer.Write("stdout", "new\n"u8);
            WaitFor(() => stdout.Text() == "new\n");
        }
        finally
        {
            cts.Cancel();
            Assert.True(follower.Join(TimeSpan.FromSeconds(20)), "cancelling stops the follower");
        }
    }

    [Fact]
    public void Follow_StopsAtAnEntryPastUntil()
    {
        using var dir = new TempDir();
        string path = dir["log"];
        using var stdout = new SharedStream();
        using var stderr = new SharedStream();
        var start = new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var writer = new JsonLogWriter(path, 0, 1, new SteppingClock(start));
        writer.Write("stdout", "a\nb\n"u8);
        var options = new LogReadOptions { Follow = true, Until = start.AddSeconds(2) };
        var follower = new Thread(() => JsonLogReader.Print(path, options, stdout, stderr, () => true, CancellationToken.None));
        follower.Start();
        WaitFor(() => stdout.Text() == "a\nb\n");
        writer.Write("stdout", "c\nd\n"u8);
        Assert.True(follower.Join(TimeSpan.FromSeconds(20)), "an entry after --until ends following");
        Assert.Equal("a\nb\nc\n", stdout.Text());
    }

    [Fact]
    public void Follow_LineCutByAKilledWriterIsSkippedWhenTheFileRotates()
    {
        using var dir = new TempDir();
        string path = dir["log"];
        string entry = LogTestFiles.Entry("one\n", "stdout", SteppingClock.Start);
        File.WriteAllText(path, entry + entry[..15]);
        using var stdout = new SharedStream();
        using var stderr = new SharedStream();
        int running = 1;
        var follower = new Thread(() => JsonLogReader.Print(path, new LogReadOptions { Follow = true }, stdout, stderr,
            () => Volatile.Read(ref running) == 1, CancellationToken.None));
        follower.Start();
        WaitFor(() => stdout.Text() == "one\n");

        // A new writer after the crash: its first entry rotates the broken file away.
        using (var writer = new JsonLogWriter(path, entry.Length + 20, 2))
        {
            writer.Write("stdout", "two\n"u8);
        }

        Volatile.Write(ref running, 0);
        Assert.True(follower.Join(TimeSpan.FromSeconds(20)));
        Assert.Equal("one\ntwo\n", stdout.Text());
    }
}
