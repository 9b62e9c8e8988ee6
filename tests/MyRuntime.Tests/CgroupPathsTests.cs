using MyRuntime.Runtime;
using MyRuntime.Runtime.Cgroups;

namespace MyRuntime.Tests;

public sealed class CgroupPathsTests
{
    [Theory]
    [InlineData(null, "/user.slice/session-1", "c1", "/user.slice/session-1/myruntime-c1")]
    [InlineData("", "/", "c1", "/myruntime-c1")]
    [InlineData("pod/ctr", "/own", "c1", "/own/pod/ctr")]
    [InlineData("/abs/ctr", "/own", "c1", "/abs/ctr")]
    [InlineData("//abs//ctr/", "/own", "c1", "/abs/ctr")]
    public void Resolve_PlacesTheCgroupAsRuncDoes(string? cgroupsPath, string own, string id, string expected) =>
        Assert.Equal(expected, CgroupPaths.Resolve(cgroupsPath, own, id));

    [Theory]
    [InlineData("../../escape")]
    [InlineData("/a/../b")]
    [InlineData("a/./b")]
    [InlineData("/")]
    [InlineData("system.slice:myruntime:c1")]
    public void Resolve_RefusesPathsThatEscapeOrNeedSystemd(string cgroupsPath)
    {
        var e = Assert.Throws<RuntimeException>(() => CgroupPaths.Resolve(cgroupsPath, "/own", "c1"));
        Assert.Contains("cgroupsPath", e.Message);
    }
}
