using MyRuntime.Engine.Rootless;

namespace MyRuntime.Tests.Engine;

public sealed class SubIdRangesTests
{
    private static readonly string[] Lines =
    [
        "alice:100000:65536",
        "1001:300000:1000",
        "bob:165536:65536",
        "alice:500000:10",
        "broken line",
        "alice:x:5",
        "alice:700000:0",
    ];

    [Fact]
    public void ByNameAndById_InFileOrder_SkippingBadLines()
    {
        Assert.Equal([(100000u, 65536u), (300000u, 1000u), (500000u, 10u)], SubIdRanges.Parse(Lines, "alice", 1001));
        Assert.Equal([(165536u, 65536u)], SubIdRanges.Parse(Lines, "bob", 1002));
        Assert.Empty(SubIdRanges.Parse(Lines, "carol", 1003));
    }
}
