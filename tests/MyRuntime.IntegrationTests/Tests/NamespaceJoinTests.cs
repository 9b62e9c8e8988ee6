using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>
/// linux.namespaces[].path: a container joins the namespaces of another container (by
/// /proc/PID/ns/...) instead of getting new ones; a path that is not a namespace of the right
/// type fails create cleanly.
/// </summary>
public sealed class NamespaceJoinTests : IntegrationTest
{
    /// <summary>Container A: <c>run --detach</c> of <c>sleep 1000</c>; returns its id and host pid.</summary>
    private (string Id, int Pid) StartSleeper(Action<Bundle>? configure = null)
    {
        var bundle = Env.NewBundle().Args("sleep", "1000");
        configure?.Invoke(bundle);
        bundle.Save();
        var id = Env.NewId();
        var r = Env.Runtime.Run("run", "--detach", "--bundle", bundle.Dir, id);
        Assert.True(r.ExitCode == 0, "run --detach failed:\n" + r);
        var pid = TestEnv.Pid(Env.State(id));
        Assert.True(HostProcess.IsAlive(pid), $"container {id} (pid {pid}) is not running");
        return (id, pid);
    }

    /// <summary>Replaces the bundle's entry of <paramref name="type"/> by one with a path.</summary>
    private static Bundle Join(Bundle bundle, string type, string path)
    {
        var namespaces = (JsonArray)bundle.Linux["namespaces"]!;
        var entry = namespaces.OfType<JsonObject>().FirstOrDefault(n => n["type"]?.GetValue<string>() == type);
        if (entry is null)
        {
            bundle.AddNamespace(type, path);
        }
        else
        {
            entry["path"] = path;
        }

        return bundle;
    }

    [Theory]
    [InlineData("network", "net")]
    [InlineData("ipc", "ipc")]
    [InlineData("uts", "uts")]
    public void JoinedNamespace_IsTheOtherContainers_AndNotTheHosts(string type, string procName)
    {
        var (_, pidA) = StartSleeper();
        var hostNs = HostProcess.Namespace(Environment.ProcessId, procName);
        var nsA = HostProcess.Namespace(pidA, procName);
        Assert.NotNull(nsA);
        Assert.NotEqual(hostNs, nsA);

        var bundleB = Join(Env.NewBundle(), type, $"/proc/{pidA}/ns/{procName}");
        var (_, pidB) = Env.CreateAndStart(bundleB, "sleep", "1000");

        Assert.True(HostProcess.IsAlive(pidB));
        var nsB = HostProcess.Namespace(pidB, procName);
        Assert.True(nsB == nsA, $"{type}: B is in {nsB}, A is in {nsA}");
        Assert.NotEqual(hostNs, nsB);
        // Only that namespace is shared: B still has its own mount and pid namespaces.
        Assert.NotEqual(HostProcess.Namespace(pidA, "mnt"), HostProcess.Namespace(pidB, "mnt"));
        Assert.NotEqual(HostProcess.Namespace(pidA, "pid"), HostProcess.Namespace(pidB, "pid"));
    }

    [Fact]
    public void AllThreeJoined_AtOnce()
    {
        var (_, pidA) = StartSleeper();

        var bundleB = Env.NewBundle();
        foreach (var (type, procName) in new[] { ("network", "net"), ("ipc", "ipc"), ("uts", "uts") })
        {
            Join(bundleB, type, $"/proc/{pidA}/ns/{procName}");
        }

        var (_, pidB) = Env.CreateAndStart(bundleB, "sleep", "1000");

        foreach (var procName in new[] { "net", "ipc", "uts" })
        {
            Assert.Equal(HostProcess.Namespace(pidA, procName), HostProcess.Namespace(pidB, procName));
        }
    }

    [Fact]
    public void JoinedUts_ShowsTheOtherContainersHostname()
    {
        var hostnameA = "it-a-" + TestEnv.RandomHex(3);
        var (_, pidA) = StartSleeper(b => b.SetHostname(hostnameA));

        var bundleB = Join(Env.NewBundle(), "uts", $"/proc/{pidA}/ns/uts").Shell("hostname");
        bundleB.Config.Remove("hostname");
        bundleB.Save();
        var r = Env.Runtime.Run("run", "--bundle", bundleB.Dir, Env.NewId());

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { hostnameA }, r.StdoutLines);
    }

    [Fact]
    public void JoinedNetwork_SysctlOfTheOtherContainerIsVisible()
    {
        // A sets net.ipv4.ip_forward=1 in its own network namespace; B, joining it, reads it back.
        var (_, pidA) = StartSleeper(b => b.Linux["sysctl"] = new JsonObject { ["net.ipv4.ip_forward"] = "1" });
        var hostValue = File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim();

        var bundleB = Join(Env.NewBundle(), "network", $"/proc/{pidA}/ns/net").Shell("cat /proc/sys/net/ipv4/ip_forward").Save();
        var r = Env.Runtime.Run("run", "--bundle", bundleB.Dir, Env.NewId());

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { "1" }, r.StdoutLines);
        Assert.Equal(hostValue, File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim());
    }

    [Fact]
    public void NonexistentNamespacePath_FailsCreateCleanly()
    {
        var (idA, pidA) = StartSleeper();
        var mounts = MountSnapshot.Take();
        var bundle = Join(Env.NewBundle().Args("sleep", "1000"), "network", "/proc/999999/ns/net").Save();
        var id = Env.NewId();

        var r = Env.Runtime.Run("create", "--bundle", bundle.Dir, id);

        AssertCleanFailure(r, id, idA, pidA, mounts);
    }

    [NotOnRuncFact("runc 1.1 reports a failed setns on three stderr lines (nsexec-1, nsexec-0, create failed)")]
    public void RegularFileAsNamespacePath_FailsCreateCleanly()
    {
        var (idA, pidA) = StartSleeper();
        var file = Path.Combine(Env.TempDir, "not-a-namespace");
        File.WriteAllText(file, "hello\n");
        var mounts = MountSnapshot.Take();
        var bundle = Join(Env.NewBundle().Args("sleep", "1000"), "network", file).Save();
        var id = Env.NewId();

        var r = Env.Runtime.Run("create", "--bundle", bundle.Dir, id);

        AssertCleanFailure(r, id, idA, pidA, mounts);
        Assert.Equal("hello\n", File.ReadAllText(file));
    }

    [NotOnRuncFact("runc 1.1 reports a failed setns on three stderr lines (nsexec-1, nsexec-0, create failed)")]
    public void NamespaceOfTheWrongType_FailsCreateCleanly()
    {
        var (idA, pidA) = StartSleeper();
        var mounts = MountSnapshot.Take();
        // An ipc namespace given as the network namespace.
        var bundle = Join(Env.NewBundle().Args("sleep", "1000"), "network", $"/proc/{pidA}/ns/ipc").Save();
        var id = Env.NewId();

        var r = Env.Runtime.Run("create", "--bundle", bundle.Dir, id);

        AssertCleanFailure(r, id, idA, pidA, mounts);
    }

    [Fact]
    public void NonexistentNamespacePath_FailsRunCleanly()
    {
        var mounts = MountSnapshot.Take();
        var bundle = Join(Env.NewBundle().Shell("echo should-not-run"), "ipc", "/proc/999999/ns/ipc").Save();
        var id = Env.NewId();

        var r = Env.Runtime.Run("run", "--bundle", bundle.Dir, id);

        Assert.True(r.ExitCode != 0, "expected failure:\n" + r);
        Assert.DoesNotContain("should-not-run", r.Stdout, StringComparison.Ordinal);
        Assert.True(r.StderrLines.Count == 1, "expected exactly one non-empty stderr line:\n" + r);
        Assert.Empty(Env.StateEntries());
        mounts.AssertUnchanged(MountSnapshot.Take(), "after a failed run");
        Env.AssertNoLeftoverProcesses();
    }

    private void AssertCleanFailure(ProcResult r, string id, string keptId, int keptPid, MountSnapshot mounts)
    {
        Assert.True(r.ExitCode != 0, "expected failure:\n" + r);
        Assert.True(r.StderrLines.Count == 1, "expected exactly one non-empty stderr line:\n" + r);
        Assert.NotEqual(0, Env.Run("state", id).ExitCode);
        Assert.Equal(new[] { keptId }, Env.StateEntries());
        mounts.AssertUnchanged(MountSnapshot.Take(), "after a failed create");
        Env.AssertNoLeftoverProcesses(keptPid);
        Assert.True(HostProcess.IsAlive(keptPid), "the container whose namespace was named must keep running");
        Assert.Equal("running", Env.Status(keptId));
    }
}
