using MyRuntime.Engine;
using MyRuntime.Engine.Bundle;

namespace MyRuntime.Tests.Engine;

public class SizeParserTests
{
    [Theory]
    [InlineData("100", 100L)]
    [InlineData("100b", 100L)]
    [InlineData("100B", 100L)]
    [InlineData("512k", 512L * 1024)]
    [InlineData("512K", 512L * 1024)]
    [InlineData("512kb", 512L * 1024)]
    [InlineData("64m", 64L * 1024 * 1024)]
    [InlineData("64M", 64L * 1024 * 1024)]
    [InlineData("64MiB", 64L * 1024 * 1024)]
    [InlineData("1g", 1024L * 1024 * 1024)]
    [InlineData("1.5g", 1536L * 1024 * 1024)]
    [InlineData("2 GB", 2048L * 1024 * 1024)]
    [InlineData("1t", 1024L * 1024 * 1024 * 1024)]
    [InlineData("1p", 1024L * 1024 * 1024 * 1024 * 1024)]
    [InlineData("0", 0L)]
    public void Parse_ReadsDockerSizes(string text, long expected) => Assert.Equal(expected, SizeParser.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("-1")]
    [InlineData("12x")]
    [InlineData("1.2.3m")]
    [InlineData(".5m")]
    [InlineData("5.m")]
    [InlineData("10mm")]
    [InlineData("1e3")]
    [InlineData("abc")]
    public void Parse_RejectsMalformed(string text)
    {
        var e = Assert.Throws<EngineException>(() => SizeParser.Parse(text, "--memory"));
        Assert.Contains("--memory", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Parse_RejectsOverflow() =>
        Assert.Contains("too large", Assert.Throws<EngineException>(() => SizeParser.Parse("99999999999p")).Message);
}
