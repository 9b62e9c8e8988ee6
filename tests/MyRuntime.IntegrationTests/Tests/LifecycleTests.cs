using System.Globalization;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>4. create → start → (program exits) → delete, as seen through <c>state</c> and the host.</summary>
public sealed class LifecycleTests : IntegrationTest
{
    /// <summary>
    /// Marks itself started in /dev (a tmpfs of the container), then waits for /dev/go which the
    /// test writes through /proc/PID/root, then exits 0.
    /// </summary>
    private const string GatedProgram = "touch /dev/started; while [ ! -e /dev/go ]; do sleep 0.05; done";

    [Fact]
    public void CreateStartExitDelete_StatesAndHostEffects()
    {
        var mountsBefore = MountSnapshot.Take();
        var bundle = Env.NewBundle().Shell(GatedProgram);
        var pidFile = Path.Combine(Env.TempDir, "container.pid");
        var id = Env.NewId();

        // create
        Env.Create(bundle, id, "--pid-file", pidFile);
        var created = Env.State(id);
        Assert.Equal("created", created["status"]?.GetValue<string>());
        Assert.Equal(id, created["id"]?.GetValue<string>());
        Assert.Equal(bundle.Dir, created["bundle"]?.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(created["ociVersion"]?.GetValue<string>()));
        var pid = TestEnv.Pid(created);
        Assert.True(pid > 0, "created state must have a pid");
        Assert.True(HostProcess.IsAlive(pid), $"container process {pid} must exist after create");
        Assert.Equal(pid.ToString(CultureInfo.InvariantCulture), File.ReadAllText(pidFile).Trim());
        Assert.False(File.Exists($"/proc/{pid}/root/dev/started"), "the user program must not run before start");
        Assert.Contains(id, Env.StateEntries());

        // start
        Env.RunOk("start", id);
        Wait.Until(() => File.Exists($"/proc/{pid}/root/dev/started"), TestEnv.ShortTimeout, "program started");
        var running = Env.State(id);
        Assert.Equal("running", running["status"]?.GetValue<string>());
        Assert.Equal(pid, TestEnv.Pid(running));
        mountsBefore.AssertUnchanged(MountSnapshot.Take(), "while running");

        // the program exits by itself
        File.WriteAllText($"/proc/{pid}/root/dev/go", "");
        Env.WaitForStatus(id, "stopped");
        Assert.False(HostProcess.IsAlive(pid));

        // delete
        Env.RunOk("delete", id);
        var after = Env.Run("state", id);
        Assert.True(after.ExitCode != 0, "state after delete must fail:\n" + after);
        Assert.DoesNotContain(id, Env.StateEntries());
        Assert.False(HostProcess.IsAlive(pid));
        mountsBefore.AssertUnchanged(MountSnapshot.Take(), "after delete");
        Env.AssertNoLeftoverProcesses();
    }

    [Fact]
    public void Start_Twice_Fails_And_DeleteWithoutForce_RefusesRunningContainer()
    {
        var (id, pid) = Env.CreateAndStart(Env.NewBundle(), "sleep", "1000");

        var again = Env.Run("start", id);
        Assert.True(again.ExitCode != 0, "start of a running container must fail:\n" + again);

        var delete = Env.Run("delete", id);
        Assert.True(delete.ExitCode != 0, "delete (no --force) of a running container must fail:\n" + delete);
        Assert.Equal("running", Env.Status(id));
        Assert.True(HostProcess.IsAlive(pid));

        Env.RunOk("delete", "--force", id);
        Assert.NotEqual(0, Env.Run("state", id).ExitCode);
        Wait.Until(() => !HostProcess.IsAlive(pid), TestEnv.ShortTimeout, "container process gone after delete --force");
        Assert.DoesNotContain(id, Env.StateEntries());
    }

    [Fact]
    public void DeleteForce_OfCreatedContainer_RemovesIt()
    {
        var id = Env.Create(Env.NewBundle().Args("sleep", "1000"));
        var pid = TestEnv.Pid(Env.State(id));

        Env.RunOk("delete", "--force", id);

        Assert.NotEqual(0, Env.Run("state", id).ExitCode);
        Wait.Until(() => !HostProcess.IsAlive(pid), TestEnv.ShortTimeout, "created container's process gone");
        Assert.Empty(Env.StateEntries());
    }

    [Fact]
    public void RunDetach_LeavesARunningContainer()
    {
        var bundle = Env.NewBundle().Args("sleep", "1000").Save();
        var id = Env.NewId();
        var pidFile = Path.Combine(Env.TempDir, "detached.pid");

        var r = Env.Runtime.Run("run", "--detach", "--pid-file", pidFile, "--bundle", bundle.Dir, id);

        Assert.True(r.ExitCode == 0, r.ToString());
        var state = Env.State(id);
        Assert.Equal("running", state["status"]?.GetValue<string>());
        var pid = TestEnv.Pid(state);
        Assert.True(HostProcess.IsAlive(pid));
        Assert.Equal(pid.ToString(CultureInfo.InvariantCulture), File.ReadAllText(pidFile).Trim());
    }

    [Fact]
    public void State_ReportsAnnotations()
    {
        var bundle = Env.NewBundle().Annotation("org.example.it", "yes").Args("sleep", "1000");

        var id = Env.Create(bundle);

        var state = Env.State(id);
        Assert.Equal("yes", state["annotations"]?["org.example.it"]?.GetValue<string>());
    }

    [Fact]
    public void List_And_Ps_ShowTheContainer()
    {
        var (id, pid) = Env.CreateAndStart(Env.NewBundle(), "sleep", "1000");
        var id2 = Env.Create(Env.NewBundle().Args("sleep", "1000"));

        var list = Env.RunOk("list");
        Assert.Contains(list.StdoutLines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() == id && l.Contains("running", StringComparison.Ordinal));
        Assert.Contains(list.StdoutLines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() == id2 && l.Contains("created", StringComparison.Ordinal));

        var ps = Env.RunOk("ps", id);
        Assert.Contains(ps.StdoutLines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(pid.ToString(CultureInfo.InvariantCulture)));
    }
}
