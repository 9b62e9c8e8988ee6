using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>6. process.terminal=true: the pty master arrives on --console-socket and drives a shell.</summary>
public sealed class ConsoleSocketTests : IntegrationTest
{
    [Fact]
    public void InteractiveShell_ThroughPtyMaster()
    {
        var bundle = Env.NewBundle().Terminal(true).Args("sh").Save();
        var socketPath = Path.Combine(Env.TempDir, "console.sock");
        using var listener = new ConsoleSocketListener(socketPath);
        var id = Env.NewId();

        using var create = Env.Start("create", "--bundle", bundle.Dir, "--console-socket", socketPath, id);
        PtyMaster master;
        try
        {
            master = listener.AcceptPtyMaster(TestEnv.ShortTimeout);
        }
        catch (TimeoutException e)
        {
            create.KillTree();
            throw new Xunit.Sdk.XunitException($"{e.Message}\nstdout: {create.CurrentStdout}\nstderr: {create.CurrentStderr}");
        }

        using (master)
        {
            var created = create.WaitForExit(TestEnv.ShortTimeout);
            Assert.True(created.ExitCode == 0, created.ToString());
            Assert.Equal("created", Env.Status(id));

            Env.RunOk("start", id);
            Assert.Equal("running", Env.Status(id));

            master.Write("echo hello-$((40+2))\n");
            Assert.True(master.ReadUntil("hello-42", TestEnv.ShortTimeout), "terminal output:\n" + master.Output);

            master.Write("tty\n");
            Assert.True(master.ReadUntil("/dev/pts/", TestEnv.ShortTimeout), "stdin must be a pty; terminal output:\n" + master.Output);

            master.Write("exit 7\n");
            Env.WaitForStatus(id, "stopped");
        }
    }

    [Fact]
    public void Create_WithTerminalButNoConsoleSocket_Fails()
    {
        var bundle = Env.NewBundle().Terminal(true).Args("sh").Save();
        var id = Env.NewId();

        var r = Env.Runtime.Run("create", "--bundle", bundle.Dir, id);

        Assert.True(r.ExitCode != 0, "create of a terminal container without --console-socket must fail:\n" + r);
        Assert.DoesNotContain(id, Env.StateEntries());
    }

    [Fact]
    public void Exec_WithTty_DrivesAShellThroughPtyMaster()
    {
        var (id, _) = Env.CreateAndStart(Env.NewBundle(), "sleep", "1000");
        var socketPath = Path.Combine(Env.TempDir, "exec-console.sock");
        using var listener = new ConsoleSocketListener(socketPath);

        using var exec = Env.Start("exec", "--tty", "--console-socket", socketPath, id, "sh");
        PtyMaster master;
        try
        {
            master = listener.AcceptPtyMaster(TestEnv.ShortTimeout);
        }
        catch (TimeoutException e)
        {
            exec.KillTree();
            throw new Xunit.Sdk.XunitException($"{e.Message}\nstdout: {exec.CurrentStdout}\nstderr: {exec.CurrentStderr}");
        }

        using (master)
        {
            master.Write("echo exec-$((6*7)); tty\n");
            Assert.True(master.ReadUntil("exec-42", TestEnv.ShortTimeout), "terminal output:\n" + master.Output);
            Assert.True(master.ReadUntil("/dev/pts/", TestEnv.ShortTimeout), "stdin must be a pty; terminal output:\n" + master.Output);
            master.Write("exit 4\n");
            var done = exec.WaitForExit(TestEnv.ShortTimeout);
            Assert.True(done.ExitCode == 4, done.ToString());
        }

        Assert.Equal("running", Env.Status(id));
    }
}
