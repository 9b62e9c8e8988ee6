using System.Text.Json.Nodes;
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

    [NotOnRuncFact("runc 1.1 ignores linux.personality")]
    public void Personality_Linux32_UnameShowsA32BitMachine_InInitAndExec() // x86_64, the only architecture of myruntime
    {
        var bundle = Env.NewBundle();
        bundle.Linux["personality"] = new JsonObject { ["domain"] = "LINUX32" };
        var (id, pid) = Env.CreateAndStart(bundle, "sleep", "1000");

        var exec = Env.Runtime.Run("exec", id, "uname", "-m");

        Assert.Equal("00000008", File.ReadAllText($"/proc/{pid}/personality").Trim()); // PER_LINUX32
        Assert.True(exec.ExitCode == 0, exec.ToString());
        Assert.Equal(new[] { "i686" }, exec.StdoutLines);
    }

    [Fact]
    public void Personality_Linux_IsTheNativeMachine()
    {
        var bundle = Env.NewBundle().Args("uname", "-m");
        bundle.Linux["personality"] = new JsonObject { ["domain"] = "LINUX" };

        var r = RunOk(bundle);

        Assert.Equal(new[] { File.ReadAllText("/proc/sys/kernel/arch").Trim() }, r.StdoutLines);
    }

    [NotOnRuncFact("runc 1.1 ignores linux.personality")]
    public void Personality_UnknownDomainOrAFlag_FailsCreate_LeavingNothing()
    {
        foreach (var (persona, message) in new[]
        {
            (new JsonObject { ["domain"] = "LINUX64" }, "linux.personality.domain 'LINUX64'"),
            (new JsonObject { ["domain"] = "LINUX", ["flags"] = new JsonArray("ADDR_NO_RANDOMIZE") }, "linux.personality.flags"),
        })
        {
            var bundle = Env.NewBundle().Args("true");
            bundle.Linux["personality"] = persona;
            bundle.Save();

            var r = Env.Runtime.Run("create", "--bundle", bundle.Dir, Env.NewId());

            Assert.True(r.ExitCode != 0, r.ToString());
            Assert.Contains(r.StderrLines, l => l.Contains(message, StringComparison.Ordinal));
            Assert.Empty(Env.StateEntries());
            Env.AssertNoLeftoverProcesses();
        }
    }

    /// <summary>As runc, the rootfs' parent mount is made private before the bind and pivot_root (the kernel refuses a
    /// shared one); unlike runc 1.1 the new root then gets the requested propagation. Nothing reaches the host.</summary>
    [NotOnRuncFact("runc 1.1 leaves the container's root private (the OCI suite's linux_rootfs_propagation fails there)")]
    public void RootfsPropagation_Shared_TheRootMountIsShared_TheHostMountTableUnchanged()
    {
        foreach (string propagation in new[] { "shared", "rshared" })
        {
            var before = MountSnapshot.Take();
            var bundle = Env.NewBundle().AddMount("/mnt", "tmpfs", "tmpfs", "size=1m").Args("cat", "/proc/self/mountinfo");
            bundle.Linux["rootfsPropagation"] = propagation;

            var r = RunOk(bundle);

            Assert.Contains(TopMount(r, "/").OptionalFields, f => f.StartsWith("shared:", StringComparison.Ordinal));
            before.AssertUnchanged(MountSnapshot.Take(), $"by a container with rootfsPropagation {propagation}");
        }
    }

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
