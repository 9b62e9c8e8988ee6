using System.Diagnostics;
using System.Globalization;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>`kill --all` and `delete --force` signal a whole cgroup by freezing it, signalling every process and
/// thawing it; one killed between the freeze and the thaw (found by bench/faults.sh: `rm -f` SIGKILLed after 84 ms
/// left its container paused) must not leave the container frozen, paused by nobody.</summary>
public sealed class InterruptedKillTests : IntegrationTest
{
    [Fact]
    public void FrozenByAKillThatDied_IsThawedByTheNextCommand_ButAPauseStays()
    {
        var (id, pid) = Env.CreateAndStart(Env.NewBundle(), "sleep", "1000");
        string freezer = CgroupSupport.CgroupDir(pid, "freezer");
        bool v2 = File.Exists(Path.Combine(freezer, "cgroup.freeze"));

        // What a kill SIGKILLed between its freeze and its thaw leaves: a frozen cgroup and its marker naming it.
        Freeze(freezer, v2, true);
        using (var gone = Process.Start("/bin/true")!)
        {
            gone.WaitForExit();
            File.WriteAllText(Path.Combine(Env.RootDir, id, "signalling"), string.Create(CultureInfo.InvariantCulture, $"{gone.Id} 1\n"));
        }

        Assert.Equal("running", Env.Status(id));
        Assert.False(IsFrozen(freezer, v2), "the cgroup is still frozen");
        Assert.False(File.Exists(Path.Combine(Env.RootDir, id, "signalling")));

        // A pause is the user's: a stale marker does not undo it.
        File.WriteAllText(Path.Combine(Env.RootDir, id, "signalling"), "1 1\n");
        Env.RunOk("pause", id);
        Assert.Equal("paused", Env.Status(id));
        Assert.Equal("paused", Env.Status(id));
        Env.RunOk("resume", id);
        Assert.Equal("running", Env.Status(id));
        Env.RunOk("delete", "--force", id);
        Assert.False(HostProcess.IsAlive(pid));
    }

    private static void Freeze(string dir, bool v2, bool frozen)
    {
        if (v2)
        {
            File.WriteAllText(Path.Combine(dir, "cgroup.freeze"), frozen ? "1" : "0");
        }
        else
        {
            File.WriteAllText(Path.Combine(dir, "freezer.state"), frozen ? "FROZEN" : "THAWED");
        }

        Wait.Until(() => IsFrozen(dir, v2) == frozen, TimeSpan.FromSeconds(5), "freezer state");
    }

    private static bool IsFrozen(string dir, bool v2) => v2
        ? File.ReadAllLines(Path.Combine(dir, "cgroup.events")).Contains("frozen 1")
        : File.ReadAllText(Path.Combine(dir, "freezer.state")).Trim() == "FROZEN";
}
