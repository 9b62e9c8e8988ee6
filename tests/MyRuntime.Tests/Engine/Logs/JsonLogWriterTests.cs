using System.Text;
using MyRuntime.Engine.Logs;

namespace MyRuntime.Tests.Engine.Logs;

public class JsonLogWriterTests
{
    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Write_OneLinePerEntryInDockerFormat()
    {
        using var dir = new TempDir();
        string path = dir["ctr-json.log"];
        using (var writer = new JsonLogWriter(path, 0, 1, new SteppingClock()))
        {
            writer.Write("stdout", Bytes("hello\nworld\n"));
            writer.Write("stderr", Bytes("oops\n"));
        }

        string[] raw = File.ReadAllLines(path);
        Assert.Equal(
        [
            "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-02T10:51:07.000000000Z\"}",
            "{\"log\":\"world\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-02T10:51:08.000000000Z\"}",
            "{\"log\":\"oops\\n\",\"stream\":\"stderr\",\"time\":\"2026-12-02T10:51:09.000000000Z\"}",
        ], raw);
    }

    [Fact]
    public void Write_TimeIsUtcWithNineFractionDigits()
    {
        using var dir = new TempDir();
        var start = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(1234567);
        using (var writer = new JsonLogWriter(dir["log"], 0, 1, new SteppingClock(start)))
        {
            writer.Write("stdout", Bytes("x\n"));
        }

        Assert.Equal("2026-01-02T01:04:05.123456700Z", Assert.Single(LogTestFiles.Read(dir["log"])).Time);
    }

    [Fact]
    public void Write_EscapesQuotesBackslashesAndControlCharacters()
    {
        using var dir = new TempDir();
        string text = "say \"hi\" \\ tab\t bell\a nul\0 esc\x1b[0m é 日本 <&>\n";
        using (var writer = new JsonLogWriter(dir["log"], 0, 1))
        {
            writer.Write("stdout", Bytes(text));
        }

        string raw = File.ReadAllText(dir["log"]);
        Assert.Contains("say \\\"hi\\\" \\\\ tab\\t bell\\u0007 nul\\u0000 esc\\u001B[0m é 日本 <&>\\n", raw);
        Assert.Equal(text, Assert.Single(LogTestFiles.Read(dir["log"])).Log);
    }

    [Fact]
    public void Write_InvalidUtf8BecomesReplacementCharacters()
    {
        using var dir = new TempDir();
        using (var writer = new JsonLogWriter(dir["log"], 0, 1))
        {
            writer.Write("stdout", [(byte)'a', 0xff, 0xfe, (byte)'b', 0xc3, (byte)'\n']);
        }

        Assert.Equal("a\uFFFD\uFFFDb\uFFFD\n", Assert.Single(LogTestFiles.Read(dir["log"])).Log);
    }

    [Fact]
    public void Write_PartialLinesWaitForTheirNewlinePerStream()
    {
        using var dir = new TempDir();
        using var writer = new JsonLogWriter(dir["log"], 0, 1);
        writer.Write("stdout", Bytes("hel"));
        writer.Write("stderr", Bytes("err"));
        writer.Write("stdout", Bytes("lo\nwor"));
        Assert.Equal(["hello\n"], LogTestFiles.Read(dir["log"]).Select(l => l.Log));
        writer.Write("stderr", Bytes("or\n"));
        writer.Write("stdout", Bytes("ld\n"));
        Assert.Equal(["hello\n", "error\n", "world\n"], LogTestFiles.Read(dir["log"]).Select(l => l.Log));
        Assert.Equal(["stdout", "stderr", "stdout"], LogTestFiles.Read(dir["log"]).Select(l => l.Stream));
    }

    [Fact]
    public void Write_MultibyteCharacterSplitAcrossChunksStaysWhole()
    {
        using var dir = new TempDir();
        byte[] euro = Bytes("€\n");
        using (var writer = new JsonLogWriter(dir["log"], 0, 1))
        {
            writer.Write("stdout", euro.AsSpan(0, 1));
            writer.Write("stdout", euro.AsSpan(1, 1));
            writer.Write("stdout", euro.AsSpan(2));
        }

        Assert.Equal("€\n", Assert.Single(LogTestFiles.Read(dir["log"])).Log);
    }

    [Fact]
    public void FlushAndDispose_WriteUnfinishedLinesAsTheyAre()
    {
        using var dir = new TempDir();
        using (var writer = new JsonLogWriter(dir["log"], 0, 1))
        {
            writer.Write("stdout", Bytes("prompt> "));
            Assert.Empty(LogTestFiles.Read(dir["log"]));
            writer.Flush();
            Assert.Equal(["prompt> "], LogTestFiles.Read(dir["log"]).Select(l => l.Log));
            writer.Write("stderr", Bytes("no newline at exit"));
        }

        Assert.Equal(["prompt> ", "no newline at exit"], LogTestFiles.Read(dir["log"]).Select(l => l.Log));
        Assert.Equal("stderr", LogTestFiles.Read(dir["log"])[1].Stream);
    }

    [Fact]
    public void Write_LongLinesAreCutAt16KiB()
    {
        using var dir = new TempDir();
        string line = new string('a', 40_000);
        using (var writer = new JsonLogWriter(dir["log"], 0, 1))
        {
            writer.Write("stdout", Bytes(line[..10_000]));
            writer.Write("stdout", Bytes(line[10_000..] + "\n"));
            writer.Write("stdout", Bytes(new string('b', JsonLogWriter.MaxLine) + "\n"));
        }

        List<string> logs = LogTestFiles.Read(dir["log"]).Select(l => l.Log).ToList();
        Assert.Equal([16384, 16384, 40_000 - 32768 + 1, 16385], logs.Select(l => l.Length));
        Assert.Equal(line + "\n", string.Concat(logs.Take(3)));
        Assert.Equal(new string('b', JsonLogWriter.MaxLine) + "\n", logs[3]);
    }

    [Fact]
    public void Write_LongLinesAreNotCutInsideACharacter()
    {
        using var dir = new TempDir();
        string line = "a" + string.Concat(Enumerable.Repeat("€", 10_000)) + "\n";
        using (var writer = new JsonLogWriter(dir["log"], 0, 1))
        {
            writer.Write("stdout", Bytes(line));
        }

        List<string> logs = LogTestFiles.Read(dir["log"]).Select(l => l.Log).ToList();
        Assert.True(logs.Count > 1);
        Assert.DoesNotContain(logs, l => l.Contains('\uFFFD'));
        Assert.All(logs, l => Assert.True(Encoding.UTF8.GetByteCount(l) <= JsonLogWriter.MaxLine + 1));
        Assert.Equal(line, string.Concat(logs));
    }

    [Fact]
    public void Write_TwoThreadsAtOnceKeepEveryLineIntact()
    {
        using var dir = new TempDir();
        const int Lines = 2000;
        using (var writer = new JsonLogWriter(dir["log"], 0, 1))
        {
            void Produce(string stream)
            {
                var random = new Random(stream.Length);
                var all = new StringBuilder();
                for (int i = 0; i < Lines; i++)
                {
                    all.Append(stream).Append(" line ").Append(i).Append(' ').Append('x', i % 97).Append('\n');
                }

                byte[] bytes = Bytes(all.ToString());
                for (int at = 0; at < bytes.Length;)
                {
                    int n = Math.Min(random.Next(1, 300), bytes.Length - at);
                    writer.Write(stream, bytes.AsSpan(at, n));
                    at += n;
                }
            }

            var threads = new[] { new Thread(() => Produce("stdout")), new Thread(() => Produce("stderr")) };
            foreach (Thread t in threads)
            {
                t.Start();
            }

            foreach (Thread t in threads)
            {
                t.Join();
            }
        }

        List<LogLine> entries = LogTestFiles.Read(dir["log"]);
        Assert.Equal(2 * Lines, entries.Count);
        foreach (string stream in new[] { "stdout", "stderr" })
        {
            List<string> logs = entries.Where(e => e.Stream == stream).Select(e => e.Log).ToList();
            Assert.Equal(Enumerable.Range(0, Lines).Select(i => $"{stream} line {i} {new string('x', i % 97)}\n"), logs);
        }

        Assert.Equal(entries.Select(e => e.Time).Order(StringComparer.Ordinal), entries.Select(e => e.Time));
    }

    [Fact]
    public void Open_CreatesFile0640AndAppendsToAnExistingOne()
    {
        using var dir = new TempDir();
        using (var writer = new JsonLogWriter(dir["log"], 0, 1))
        {
            writer.Write("stdout", Bytes("one\n"));
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(dir["log"]));
        using (var writer = new JsonLogWriter(dir["log"], 0, 1))
        {
            writer.Write("stdout", Bytes("two\n"));
        }

        Assert.Equal(["one\n", "two\n"], LogTestFiles.Read(dir["log"]).Select(l => l.Log));
    }

    [Fact]
    public void Write_UnknownStreamAndUseAfterDisposeFail()
    {
        using var dir = new TempDir();
        var writer = new JsonLogWriter(dir["log"], 0, 1);
        Assert.Throws<ArgumentException>(() => writer.Write("stdin", Bytes("x\n")));
        writer.Dispose();
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.Write("stdout", Bytes("x\n")));
    }

    [Fact]
    public void Open_MissingDirectoryIsAnEngineError()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<MyRuntime.Engine.EngineException>(() => new JsonLogWriter(dir["no/such/log"], 0, 1));
        Assert.Contains("cannot open log file", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
