using System.Globalization;
using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>7. <c>exec</c> joins a running container.</summary>
public sealed class ExecTests : IntegrationTest
{
    private readonly Bundle _bundle;
    private readonly string _id;
    private readonly int _pid;

    public ExecTests()
    {
        _bundle = Env.NewBundle();
        try
        {
            (_id, _pid) = Env.CreateAndStart(_bundle, "sleep", "1000");
        }
        catch
        {
            Dispose(); // xunit does not dispose an instance whose constructor threw
            throw;
        }
    }

    [Fact]
    public void Exec_RunsInTheContainersNamespaces()
    {
        var r = Env.Runtime.Run("exec", _id, "sh", "-c", "echo $$; hostname; ls /proc");

        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.StdoutLines;
        Assert.True(int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pidInside), r.ToString());
        Assert.True(pidInside > 1, "an exec'd process is not PID 1:\n" + r);
        Assert.Equal(_bundle.Hostname, lines[1]);
        // The container's /proc: PID 1 (sleep) is there, host PIDs are not.
        var pids = lines.Skip(2).SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(e => e.All(char.IsAsciiDigit)).ToList();
        Assert.Contains("1", pids);
        Assert.DoesNotContain(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), pids);
        Assert.Equal("running", Env.Status(_id));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Exec_PropagatesExitCode(int code)
    {
        var r = Env.Runtime.Run("exec", _id, "sh", "-c", $"exit {code}");

        Assert.True(r.ExitCode == code, $"expected {code}:\n{r}");
        Assert.Equal("running", Env.Status(_id));
    }

    [Fact]
    public void Exec_Env()
    {
        var r = Env.Runtime.Run("exec", "--env", "FOO=bar", _id, "sh", "-c", "echo $FOO");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { "bar" }, r.StdoutLines);
    }

    [Fact]
    public void Exec_UserAndCwd()
    {
        var r = Env.Runtime.Run("exec", "--user", "1000:1000", "--cwd", "/etc", _id, "sh", "-c", "id -u; id -g; pwd");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { "1000", "1000", "/etc" }, r.StdoutLines);
    }

    [Fact]
    public void Exec_ProcessFile()
    {
        var process = new JsonObject
        {
            ["terminal"] = false,
            ["user"] = new JsonObject { ["uid"] = 1000, ["gid"] = 1000 },
            ["args"] = new JsonArray("sh", "-c", "echo from-file $X; id -u; pwd"),
            ["env"] = new JsonArray("PATH=/usr/sbin:/usr/bin:/sbin:/bin", "X=y"),
            ["cwd"] = "/etc",
        };
        var file = Path.Combine(Env.TempDir, "process.json");
        File.WriteAllText(file, process.ToJsonString());

        var r = Env.Runtime.Run("exec", "--process", file, _id);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { "from-file y", "1000", "/etc" }, r.StdoutLines);
    }

    [Fact]
    public void Exec_Detach_WritesPidFile()
    {
        var pidFile = Path.Combine(Env.TempDir, "exec.pid");

        var r = Env.Runtime.Run("exec", "--detach", "--pid-file", pidFile, _id, "sleep", "1000");

        Assert.True(r.ExitCode == 0, r.ToString());
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
        Env.Remember(_id, pid);
        Assert.NotEqual(_pid, pid);
        Assert.True(HostProcess.IsAlive(pid));
        Assert.Equal(HostProcess.Namespace(_pid, "pid"), HostProcess.Namespace(pid, "pid"));
        Assert.Equal(HostProcess.Namespace(_pid, "mnt"), HostProcess.Namespace(pid, "mnt"));

        // delete --force of the container takes the exec'd process with it (PID namespace teardown).
        Env.RunOk("delete", "--force", _id);
        Wait.Until(() => !HostProcess.IsAlive(pid), TestEnv.ShortTimeout, "exec'd process gone after delete --force");
    }

    [Fact]
    public void Exec_IntoMissingOrStoppedContainer_Fails()
    {
        var missing = Env.Runtime.Run("exec", "it-nosuch-" + TestEnv.RandomHex(4), "true");
        Assert.True(missing.ExitCode != 0, missing.ToString());

        Env.RunOk("kill", _id, "KILL");
        Env.WaitForStatus(_id, "stopped");
        var stopped = Env.Runtime.Run("exec", _id, "true");
        Assert.True(stopped.ExitCode != 0, "exec into a stopped container must fail:\n" + stopped);
    }
}
