using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests.Conformance;

/// <summary>
/// runtime.md "Operations" and "Lifecycle": the error cases LifecycleTests and BadInputTests leave out
/// (start or kill of a stopped container, kill of a created one) and the state of each status.
/// </summary>
public sealed class LifecycleConformanceTests : ConformanceTest
{
    [Fact]
    public void StoppedContainer_StartAndKillFail_AndItStaysStopped()
    {
        var (id, _) = Env.CreateAndStart(Env.NewBundle(), "true");
        Env.WaitForStatus(id, "stopped");

        var start = Env.Run("start", id);
        var kill = Env.Run("kill", id, "KILL");

        Assert.True(start.ExitCode != 0, "start of a stopped container must fail:\n" + start);
        Assert.True(kill.ExitCode != 0, "kill of a stopped container must fail:\n" + kill);
        Assert.NotEmpty(start.StderrLines);
        Assert.NotEmpty(kill.StderrLines);
        Assert.Equal("stopped", Env.Status(id));
        Env.RunOk("delete", id);
    }

    [Fact]
    public void Kill_OfACreatedContainer_SignalsItsProcess_TheProgramNeverRuns()
    {
        var probe = Env.NewDir("probe");
        var bundle = Env.NewBundle().AddMount("/mnt", "bind", probe, "rbind", "rw").Shell("touch /mnt/ran");
        var id = Env.Create(bundle);
        var pid = TestEnv.Pid(Env.State(id));

        Env.RunOk("kill", id, "KILL");

        Env.WaitForStatus(id, "stopped");
        Wait.Until(() => !HostProcess.IsAlive(pid), TestEnv.ShortTimeout, "the created container's process is gone");
        Assert.False(File.Exists(Path.Combine(probe, "ran")), "the program must never run");
        Assert.NotEqual(0, Env.Run("start", id).ExitCode);
        Env.RunOk("delete", id);
        Assert.Empty(Env.StateEntries());
    }

    [Fact]
    public void State_HasTheRequiredFields_InEachStatus()
    {
        var bundle = Env.NewBundle().Args("sleep", "1000").Annotation("it.conformance", "yes");
        var id = Env.Create(bundle);

        foreach (var (status, act) in new (string, Action)[]
        {
            ("created", () => { }),
            ("running", () => Env.RunOk("start", id)),
            ("stopped", () => Env.RunOk("kill", id, "KILL")),
        })
        {
            act();
            Env.WaitForStatus(id, status);
            var s = Env.State(id);
            Assert.False(string.IsNullOrEmpty(s["ociVersion"]?.GetValue<string>()), $"{status}: ociVersion");
            Assert.Equal(id, s["id"]?.GetValue<string>());
            Assert.Equal(bundle.Dir, s["bundle"]?.GetValue<string>());
            Assert.Equal("yes", s["annotations"]?["it.conformance"]?.GetValue<string>());
            if (status != "stopped")
            {
                Assert.True(TestEnv.Pid(s) > 0, $"{status}: pid is required while the process exists");
            }
        }
    }
}
