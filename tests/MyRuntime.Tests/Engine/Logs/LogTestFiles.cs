using System.Text;
using System.Text.Json;

namespace MyRuntime.Tests.Engine.Logs;

/// <summary>A clock for log writers that starts at a fixed time and moves one second on each reading.</summary>
internal sealed class SteppingClock(DateTimeOffset start) : TimeProvider
{
    private long _readings;

    public static DateTimeOffset Start { get; } = new(2026, 12, 2, 10, 51, 7, TimeSpan.Zero);

    public SteppingClock()
        : this(Start)
    {
    }

    public override DateTimeOffset GetUtcNow() => start.AddSeconds(Interlocked.Increment(ref _readings) - 1);
}

/// <summary>One parsed line of a json-file log.</summary>
internal sealed record LogLine(string Log, string Stream, string Time);

internal static class LogTestFiles
{
    /// <summary>Every line of a log file, each checked to be one JSON object with exactly log, stream and time.</summary>
    public static List<LogLine> Read(string path)
    {
        string text = File.ReadAllText(path, Encoding.UTF8);
        Assert.True(text.Length == 0 || text.EndsWith('\n'), "a log file ends with a newline");
        var lines = new List<LogLine>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement root = doc.RootElement;
            Assert.Equal(3, root.EnumerateObject().Count());
            lines.Add(new LogLine(root.GetProperty("log").GetString()!, root.GetProperty("stream").GetString()!,
                root.GetProperty("time").GetString()!));
        }

        return lines;
    }

    /// <summary>A hand-written entry line (with its newline) as Docker writes them.</summary>
    public static string Entry(string log, string stream, DateTimeOffset time) =>
        $"{{\"log\":{JsonSerializer.Serialize(log, LogTestJson.Default.String)},\"stream\":\"{stream}\",\"time\":\"{time.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fffffff}00Z\"}}\n";
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class LogTestJson : System.Text.Json.Serialization.JsonSerializerContext
{
}
