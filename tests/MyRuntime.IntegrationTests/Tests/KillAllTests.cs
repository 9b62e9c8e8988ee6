using System.Globalization;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary><c>kill --all</c> signals every process of the container, not only its init.</summary>
public sealed class KillAllTests : IntegrationTest
{
    private const string TwoSleepers = "sleep 1000 & sleep 1000 & wait";

    /// <summary>Starts the container and waits until its init has both sleep children; returns all host pids.</summary>
    private (string Id, int Init, int[] Children) StartTwoSleepers(Bundle bundle)
    {
        var (id, pid) = Env.CreateAndStart(bundle, "sh", "-c", TwoSleepers);
        int[] children = Array.Empty<int>();
        Wait.Until(() => (children = Children(pid)).Length == 2, TestEnv.ShortTimeout, "the two sleep children started");
        foreach (var child in children)
        {
            Env.Remember(id, child); // killed at cleanup if something survives
        }

        return (id, pid, children);
    }

    private static int[] Children(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/task/{pid}/children")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (IOException)
        {
            return Array.Empty<int>();
        }
    }

    private static void AssertAllGone(IEnumerable<int> pids, string what)
    {
        var list = pids.ToList();
        if (!Wait.TryUntil(() => list.All(p => !HostProcess.IsAlive(p)), TestEnv.ShortTimeout))
        {
            Assert.Fail($"{what}: still alive:\n" + string.Join("\n", list.Where(HostProcess.IsAlive).Select(HostProcess.Describe)));
        }
    }

    [Fact]
    public void KillAll_KILL_StopsInitAndChildren()
    {
        var (id, init, children) = StartTwoSleepers(Env.NewBundle());

        Env.RunOk("kill", "--all", id, "KILL");

        AssertAllGone(children.Append(init), "after kill --all KILL");
        Env.WaitForStatus(id, "stopped");
    }

    [Fact]
    public void KillAll_TERM_ReachesTheChildren_ThatInitAloneWouldNotPass()
    {
        // PID 1 of a pid namespace ignores TERM it has no handler for: only --all reaches the sleeps.
        var (id, init, children) = StartTwoSleepers(Env.NewBundle());

        Env.RunOk("kill", id, "TERM");
        Thread.Sleep(300);
        Assert.True(children.Append(init).All(HostProcess.IsAlive), "kill TERM without --all must only reach the init (which ignores it)");
        Assert.Equal("running", Env.Status(id));

        Env.RunOk("kill", "--all", id, "TERM");

        AssertAllGone(children, "sleep children after kill --all TERM");
        // wait returns once both sleeps died, and sh exits.
        Env.WaitForStatus(id, "stopped");
        Assert.False(HostProcess.IsAlive(init));
    }

    [Fact]
    public void KillAll_WithoutPidNamespace_StopsInitAndChildren()
    {
        // Without a pid namespace, killing the init does not take the other processes with it:
        // the runtime must find and signal each process of the container.
        var (id, init, children) = StartTwoSleepers(Env.NewBundle().RemoveNamespace("pid"));

        Env.RunOk("kill", "--all", id, "KILL");

        AssertAllGone(children.Append(init), "after kill --all KILL (no pid namespace)");
        Env.WaitForStatus(id, "stopped");
    }
}
