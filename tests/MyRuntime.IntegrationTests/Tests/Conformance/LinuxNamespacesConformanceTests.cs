using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests.Conformance;

/// <summary>
/// config-linux.md "Namespaces": what IsolationTests, NamespaceJoinTests and UserNamespaceTests leave
/// out: a type not listed is the runtime's own, the cgroup namespace, joining a pid namespace by path,
/// and the refusal of time namespaces (not supported).
/// </summary>
public sealed class LinuxNamespacesConformanceTests : ConformanceTest
{
    [Fact]
    public void UnlistedTypes_AreTheRuntimesNamespaces()
    {
        var bundle = Env.NewBundle().RemoveNamespace("network").RemoveNamespace("ipc").RemoveNamespace("uts").RemoveNamespace("cgroup");
        bundle.Config.Remove("hostname");
        var (_, pid) = Env.CreateAndStart(bundle, "sleep", "1000");

        foreach (var ns in new[] { "net", "ipc", "uts", "cgroup" })
        {
            Assert.Equal(HostProcess.Namespace(Environment.ProcessId, ns), HostProcess.Namespace(pid, ns));
        }

        Assert.NotEqual(HostProcess.Namespace(Environment.ProcessId, "mnt"), HostProcess.Namespace(pid, "mnt"));
        Assert.NotEqual(HostProcess.Namespace(Environment.ProcessId, "pid"), HostProcess.Namespace(pid, "pid"));
    }

    [Fact]
    public void CgroupNamespace_TheContainersCgroupIsItsRoot()
    {
        var bundle = Env.NewBundle();
        if (!bundle.NamespaceTypes.Contains("cgroup"))
        {
            bundle.AddNamespace("cgroup");
        }

        var r = RunOk(bundle.Args("cat", "/proc/self/cgroup"));

        Assert.NotEmpty(r.StdoutLines);
        Assert.All(r.StdoutLines, l => Assert.EndsWith(":/", l, StringComparison.Ordinal));
    }

    [NotOnRuncFact("runc creates time namespaces; myruntime rejects them (see docs/conformance.md)")]
    public void TimeNamespace_IsRejected_WithAMessage_LeavingNothing()
    {
        var bundle = Env.NewBundle().AddNamespace("time").Args("true").Save();
        var id = Env.NewId();

        var r = Env.Runtime.Run("create", "--bundle", bundle.Dir, id);

        Assert.True(r.ExitCode != 0, "a time namespace must be refused, not silently left out:\n" + r);
        Assert.Contains(r.StderrLines, l => l.Contains("time namespaces are not supported", StringComparison.Ordinal));
        Assert.Empty(Env.StateEntries());
        Env.AssertNoLeftoverProcesses();
    }

    [Fact]
    public void PidNamespacePath_JoinsIt_TheOtherContainersProcessesAreVisible()
    {
        var (_, pidA) = Env.CreateAndStart(Env.NewBundle(), "sleep", "4242");
        var bundleB = Env.NewBundle().RemoveNamespace("pid").AddNamespace("pid", $"/proc/{pidA}/ns/pid")
            .Shell("ps -o pid,args");

        var r = RunOk(bundleB);

        Assert.Contains(r.StdoutLines, l => l.StartsWith("1 ", StringComparison.Ordinal) && l.Contains("sleep 4242", StringComparison.Ordinal));
    }
}
