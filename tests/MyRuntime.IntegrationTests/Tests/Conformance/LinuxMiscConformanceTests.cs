using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests.Conformance;

/// <summary>
/// config.md "domainname" and config-linux.md "Rootfs Mount Propagation": what the container's UTS
/// namespace and mount table show.
/// </summary>
public sealed class LinuxMiscConformanceTests : ConformanceTest
{
    [NotOnRuncFact("runc 1.1 ignores domainname (it came with runc 1.2)")]
    public void Domainname_IsTheUtsDomainname_HostUnchanged()
    {
        var hostDomain = File.ReadAllText("/proc/sys/kernel/domainname").Trim();
        var domain = "it-" + TestEnv.RandomHex(3) + ".example";
        var bundle = Env.NewBundle().Shell("cat /proc/sys/kernel/domainname");
        bundle.Config["domainname"] = domain;

        var r = RunOk(bundle);

        Assert.Equal(new[] { domain }, r.StdoutLines);
        Assert.Equal(hostDomain, File.ReadAllText("/proc/sys/kernel/domainname").Trim());
    }

    /// <summary>(r)shared is not supported: pivot_root refuses a shared root, see docs/conformance.md.</summary>
    [Theory]
    [InlineData("private")]
    [InlineData("rprivate")]
    public void RootfsPropagation_Private_TheRootMountHasNoPeers(string propagation)
    {
        var bundle = Env.NewBundle().Args("cat", "/proc/self/mountinfo");
        bundle.Linux["rootfsPropagation"] = propagation;

        var r = RunOk(bundle);

        Assert.Empty(TopMount(r, "/").OptionalFields);
    }
}
