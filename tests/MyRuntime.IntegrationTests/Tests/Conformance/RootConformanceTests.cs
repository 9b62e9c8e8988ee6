namespace MyRuntime.IntegrationTests.Tests.Conformance;

/// <summary>
/// config.md "root": root.path (absolute and bundle-relative) and root.readonly, as the container's
/// own mount table shows them and as writes behave.
/// </summary>
public sealed class RootConformanceTests : ConformanceTest
{
    private const string Checker = "cat /proc/self/mountinfo; if touch /it-root-probe 2>/dev/null; then echo WROTE; else echo RO; fi";

    [Fact]
    public void ReadonlyTrue_RootIsAReadOnlyMount()
    {
        var bundle = Env.NewBundle().Shell(Checker); // absolute root.path (the shared image rootfs), readonly

        var r = RunOk(bundle);

        Assert.Contains("ro", TopMount(r, "/").MountOptions);
        Assert.Equal("RO", r.StdoutLines[^1]);
    }

    [Fact]
    public void ReadonlyFalse_RelativePath_RootIsTheBundlesRootfs_Writable()
    {
        var bundle = Env.NewBundle().UsePrivateRootfs().Shell(Checker);
        bundle.Config["root"]!["readonly"] = false;

        var r = RunOk(bundle);

        Assert.Contains("rw", TopMount(r, "/").MountOptions);
        Assert.Equal("WROTE", r.StdoutLines[^1]);
        Assert.True(File.Exists(Path.Combine(bundle.RootfsPath, "it-root-probe")), "the write must land in <bundle>/rootfs");
    }
}
