using MyRuntime.Engine;
using MyRuntime.Engine.Logs;

namespace MyRuntime.Tests.Engine.Logs;

public class ParseSinceTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.FromHours(1));

    [Theory]
    [InlineData("2024-01-02T15:04:05Z", "2024-01-02T15:04:05.0000000+00:00")]
    [InlineData("2024-01-02T15:04:05.123456789Z", "2024-01-02T15:04:05.1234567+00:00")]
    [InlineData("2024-01-02T15:04:05.5+02:00", "2024-01-02T15:04:05.5000000+02:00")]
    [InlineData("2024-01-02t15:04:05-07:30", "2024-01-02T15:04:05.0000000-07:30")]
    [InlineData("2024-01-02T15:04:05", "2024-01-02T15:04:05.0000000+01:00")]
    [InlineData("2024-01-02T15:04", "2024-01-02T15:04:00.0000000+01:00")]
    [InlineData("2024-01-02T15", "2024-01-02T15:00:00.0000000+01:00")]
    [InlineData("2024-01-02T15:04Z", "2024-01-02T15:04:00.0000000+00:00")]
    [InlineData("2024-01-02", "2024-01-02T00:00:00.0000000+01:00")]
    [InlineData("2024-01-02Z", "2024-01-02T00:00:00.0000000+00:00")]
    [InlineData("2024-02-29T00:00:00Z", "2024-02-29T00:00:00.0000000+00:00")]
    public void ParseSince_ReadsRfc3339(string text, string expected) =>
        Assert.Equal(expected, JsonLogReader.ParseSince(text, Now).ToString("O"));

    [Theory]
    [InlineData("1700000000", 1700000000L, 0L)]
    [InlineData("1700000000.5", 1700000000L, 5_000_000L)]
    [InlineData("1700000000.123456789", 1700000000L, 1_234_567L)]
    [InlineData("0", 0L, 0L)]
    [InlineData("10", 10L, 0L)]
    public void ParseSince_ReadsUnixSeconds(string text, long seconds, long ticks)
    {
        DateTimeOffset t = JsonLogReader.ParseSince(text, Now);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(ticks), t);
    }

    [Theory]
    [InlineData("10m", 600.0)]
    [InlineData("45s", 45.0)]
    [InlineData("1h30m", 5400.0)]
    [InlineData("1.5h", 5400.0)]
    [InlineData("500ms", 0.5)]
    [InlineData("2h3m4s5ms", 7384.005)]
    [InlineData("-1m", -60.0)]
    [InlineData("0s", 0.0)]
    public void ParseSince_ReadsDurationsBeforeNow(string text, double seconds) =>
        Assert.Equal(Now - TimeSpan.FromSeconds(seconds), JsonLogReader.ParseSince(text, Now));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("yesterday")]
    [InlineData("10x")]
    [InlineData("1h30")]
    [InlineData("m")]
    [InlineData("1..5h")]
    [InlineData("2024-13-01")]
    [InlineData("2024-02-30")]
    [InlineData("2024-01-02T25:00:00Z")]
    [InlineData("2024-01-02T15:04:05.Z")]
    [InlineData("2024-01-02T15:04:05.1234567890Z")]
    [InlineData("2024-01-02T15:04:05+0200")]
    [InlineData("2024-1-2")]
    [InlineData("1700000000.")]
    [InlineData("1700000000.5.5")]
    [InlineData("-1700000000")]
    [InlineData("99999999999999999999")]
    [InlineData("9999999999999h")]
    public void ParseSince_RejectsOtherText(string text)
    {
        var e = Assert.Throws<EngineException>(() => JsonLogReader.ParseSince(text, Now, "--until"));
        Assert.StartsWith($"invalid --until '{text}'", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
