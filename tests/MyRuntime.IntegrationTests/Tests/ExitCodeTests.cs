using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>5. Exit status of the container process becomes the exit status of <c>run</c>.</summary>
public sealed class ExitCodeTests : IntegrationTest
{
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(42)]
    public void Run_ExitsWithTheProgramsExitCode(int code)
    {
        var bundle = Env.NewBundle().Shell($"exit {code}").Save();

        var r = Env.Runtime.Run("run", "--bundle", bundle.Dir, Env.NewId());

        Assert.True(r.ExitCode == code, $"expected exit {code}:\n{r}");
    }

    [Fact]
    public void Run_ProgramKilledBySignal9_Exits137()
    {
        // PID 1 of a PID namespace cannot SIGKILL itself (the kernel ignores it), so this
        // container shares the host PID namespace: `kill -9 $$` then really kills the shell.
        var bundle = Env.NewBundle().RemoveNamespace("pid").Shell("kill -9 $$; echo survived").Save();

        var r = Env.Runtime.Run("run", "--bundle", bundle.Dir, Env.NewId());

        Assert.True(r.ExitCode == 137, "expected 128+9:\n" + r);
        Assert.DoesNotContain("survived", r.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KILL")]
    [InlineData("9")]
    [InlineData("SIGKILL")]
    public void Kill_RunningContainer_StopsIt(string signal)
    {
        var (id, pid) = Env.CreateAndStart(Env.NewBundle(), "sleep", "1000");
        Assert.Equal("running", Env.Status(id));

        Env.RunOk("kill", id, signal);

        Env.WaitForStatus(id, "stopped");
        Assert.False(HostProcess.IsAlive(pid));
    }

    [Fact]
    public void Kill_TermToShellWithTrap_IsDelivered()
    {
        // PID 1 only receives signals it handles: a trap makes SIGTERM (the default of kill) count.
        var (id, _) = Env.CreateAndStart(Env.NewBundle(), "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done");

        Env.RunOk("kill", id);

        Env.WaitForStatus(id, "stopped");
    }

    [Fact]
    public void ForegroundRun_KilledWithKILL_Returns137()
    {
        var bundle = Env.NewBundle().Args("sleep", "1000").Save();
        var id = Env.NewId();
        using var run = Env.Start("run", "--bundle", bundle.Dir, id);
        Wait.Until(() => Env.Runtime.Run("state", id) is { ExitCode: 0 } s && s.Stdout.Contains("\"running\"", StringComparison.Ordinal),
            TestEnv.ShortTimeout, "foreground container running");

        Env.RunOk("kill", id, "KILL");

        var r = run.WaitForExit(TestEnv.ShortTimeout);
        Assert.True(r.ExitCode == 137, "expected 128+9:\n" + r);
    }
}
