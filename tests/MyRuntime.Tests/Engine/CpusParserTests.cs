using MyRuntime.Engine;
using MyRuntime.Engine.Bundle;

namespace MyRuntime.Tests.Engine;

public class CpusParserTests
{
    [Theory]
    [InlineData("1.5", 150000L)]
    [InlineData("1", 100000L)]
    [InlineData("0.5", 50000L)]
    [InlineData("0.01", 1000L)]
    [InlineData("4", 400000L)]
    [InlineData(" 2.25 ", 225000L)]
    public void Parse_GivesQuotaPerHundredMilliseconds(string text, long quota)
    {
        var q = CpusParser.Parse(text);
        Assert.NotNull(q);
        Assert.Equal(quota, q.Value.Quota);
        Assert.Equal(100000UL, q.Value.Period);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.0")]
    public void Parse_ZeroIsNoLimit(string text) => Assert.Null(CpusParser.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1,5")]
    [InlineData("0.001")]
    [InlineData("0.0000000001")]
    [InlineData("1e2")]
    public void Parse_RejectsBadValues(string text)
    {
        var e = Assert.Throws<EngineException>(() => CpusParser.Parse(text));
        Assert.Contains("--cpus", e.Message);
    }
}
