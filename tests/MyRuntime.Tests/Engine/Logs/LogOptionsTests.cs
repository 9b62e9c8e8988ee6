using MyRuntime.Engine;
using MyRuntime.Engine.Logs;

namespace MyRuntime.Tests.Engine.Logs;

public class LogOptionsTests
{
    [Fact]
    public void Parse_NothingGivesOurDefaults()
    {
        Assert.Equal(new LogOptions(10L * 1024 * 1024, 3), LogOptions.Parse([]));
        Assert.Equal(LogOptions.Default, LogOptions.Parse([]));
    }

    [Theory]
    [InlineData("100", 100L)]
    [InlineData("1k", 1000L)]
    [InlineData("1K", 1000L)]
    [InlineData("10m", 10_000_000L)]
    [InlineData("10M", 10_000_000L)]
    [InlineData("2g", 2_000_000_000L)]
    [InlineData("1.5k", 1500L)]
    [InlineData("10mb", 10_000_000L)]
    [InlineData("10MiB", 10_000_000L)]
    [InlineData("10 m", 10_000_000L)]
    [InlineData("100b", 100L)]
    public void Parse_MaxSizeAsDockerReadsIt(string value, long bytes) =>
        Assert.Equal(new LogOptions(bytes, 3), LogOptions.Parse([$"max-size={value}"]));

    [Fact]
    public void Parse_MaxFileAloneKeepsTheDefaultSizeAndLaterValuesWin()
    {
        Assert.Equal(new LogOptions(LogOptions.DefaultMaxSize, 5), LogOptions.Parse(["max-file=5"]));
        Assert.Equal(new LogOptions(2000, 1), LogOptions.Parse(["max-file=5", "max-size=1k", "max-file=1", "max-size=2k"]));
    }

    [Theory]
    [InlineData("max-size=0", "max-size must be a positive number")]
    [InlineData("max-size=0k", "max-size must be a positive number")]
    [InlineData("max-size=", "invalid log opt max-size ''")]
    [InlineData("max-size=-1m", "invalid log opt max-size '-1m'")]
    [InlineData("max-size=10x", "invalid log opt max-size '10x'")]
    [InlineData("max-size=.5m", "invalid log opt max-size '.5m'")]
    [InlineData("max-size=5.m", "invalid log opt max-size '5.m'")]
    [InlineData("max-size=1mm", "invalid log opt max-size '1mm'")]
    [InlineData("max-size=99999999999p", "too large")]
    [InlineData("max-file=0", "max-file cannot be less than 1")]
    [InlineData("max-file=-2", "max-file cannot be less than 1")]
    [InlineData("max-file=two", "invalid log opt max-file 'two'")]
    [InlineData("max-file=", "invalid log opt max-file ''")]
    [InlineData("max-fil=3", "unknown log opt 'max-fil' for json-file log driver")]
    [InlineData("compress=true", "log opt 'compress' is not supported")]
    [InlineData("tag={{.Name}}", "log opt 'tag' is not supported")]
    [InlineData("max-size", "invalid --log-opt 'max-size': expected key=value")]
    [InlineData("=3", "invalid --log-opt '=3'")]
    public void Parse_RejectsBadOptionsInOneLine(string opt, string message)
    {
        var e = Assert.Throws<EngineException>(() => LogOptions.Parse([opt]));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
