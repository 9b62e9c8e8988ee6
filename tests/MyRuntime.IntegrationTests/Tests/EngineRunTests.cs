using MyRuntime.IntegrationTests.Infrastructure;
using MyRuntime.IntegrationTests.Infrastructure.Engine;
using MyRuntime.IntegrationTests.Infrastructure.Registry;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>The engine's Docker-like run/exec/stop/rm on an image pulled from a real registry on loopback.</summary>
public sealed class EngineRunTests(EngineRegistry registry) : IClassFixture<EngineRegistry>, IDisposable
{
    private readonly EngineHost host = new();

    public void Dispose() => host.Dispose();

    [RegistryFact]
    public void RunRmEchoHelloLeavesNothing()
    {
        var r = host.Ok("run", "--rm", registry.Busybox, "echo", "hello");
        Assert.Equal("hello\n", r.Stdout);
        Assert.Empty(host.Ok("ps", "-aq").StdoutLines);
        Assert.Empty(host.ContainerDirs());
        Assert.Empty(host.Mounts());
        Assert.Empty(Directory.Exists(host.RunRoot) ? Directory.GetFileSystemEntries(host.RunRoot) : []);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(host.StorageRoot, "snapshots")));
    }

    [RegistryFact]
    public void ForegroundRunPassesExitCodeAndBothStreams()
    {
        var r = host.Run("run", "--rm", registry.Busybox, "sh", "-c", "echo out; echo err >&2; exit 3");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("out\n", r.Stdout);
        Assert.Contains("err", r.Stderr, StringComparison.Ordinal);
    }

    [RegistryFact]
    public void ForegroundRunForwardsSignals()
    {
        host.Ok("pull", registry.Busybox);
        using var p = System.Diagnostics.Process.Start(host.StartInfo(["run", "--rm", registry.Busybox, "sh", "-c", "trap 'echo got-TERM; exit 9' TERM; echo ready; while :; do sleep 0.05; done"]))!;
        p.StandardInput.Close();
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        var kill = HostCommand.Run("/bin/kill", "-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(kill.ExitCode == 0, kill.ToString());
        Assert.True(p.WaitForExit(20_000 * TestSettings.TimeoutScale), "run did not exit after SIGTERM");
        Assert.Equal(9, p.ExitCode);
        Assert.Equal("got-TERM", p.StandardOutput.ReadToEnd().Trim());
        Assert.Empty(host.ContainerDirs());
    }

    [RegistryFact]
    public void InteractiveRunReadsStdin()
    {
        var r = host.RunWithInput("echo from-stdin\nexit 5\n", "run", "--rm", "-i", registry.Busybox, "sh");
        Assert.Equal(5, r.ExitCode);
        Assert.Equal("from-stdin\n", r.Stdout);
    }

    [RegistryFact]
    public void DetachedServerLifecycle()
    {
        string id = host.Ok("run", "-d", "--name", "web", registry.Busybox, "sh", "-c", "echo started; exec httpd -f -p 80").StdoutLines.Single();
        Assert.Matches("^[0-9a-f]{64}$", id);
        var ps = host.Ok("ps");
        Assert.Matches($@"{id[..12]}\s+{registry.Busybox.Replace(".", @"\.", StringComparison.Ordinal)}\s+.*Up .*\s+web$", ps.StdoutLines[1]);
        Assert.Equal(id[..12], host.Ok("exec", "web", "cat", "/etc/hostname").Stdout.Trim());
        Assert.Equal("httpd", host.Ok("exec", "web", "cat", "/proc/1/comm").Stdout.Trim());
        Wait.Until(() => host.Run("logs", "web").Stdout.Contains("started", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the log shows the output");

        // httpd as PID 1 has no SIGTERM handler: stop waits its 2 s, then SIGKILL.
        var stop = host.Ok("stop", "-t", "2", "web");
        Assert.InRange(stop.Elapsed.TotalSeconds, 1.5, 10 * TestSettings.TimeoutScale);
        Assert.Matches($@"Exited \(137\)", host.Ok("ps", "-a").StdoutLines[1]);
        Assert.Empty(host.Mounts());
        Assert.Empty(CgroupSupport.CgroupDirsNamed(id));

        host.Ok("rm", "web");
        host.AssertGone(id);
        Assert.Empty(host.ContainerDirs());
    }

    [RegistryFact]
    public void StopSendsTermToAProgramThatHandlesIt()
    {
        host.Ok("run", "-d", "--name", "trap", registry.Busybox, "sh", "-c", "trap 'exit 0' TERM; echo ready; while true; do sleep 0.1; done");
        Wait.Until(() => host.Run("logs", "trap").Stdout.Contains("ready", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the trap is set");
        var stop = host.Ok("stop", "trap");
        Assert.True(stop.Elapsed.TotalSeconds < 5 * TestSettings.TimeoutScale, stop.ToString());
        Assert.Matches(@"Exited \(0\)", host.Ok("ps", "-a").StdoutLines[1]);
        Assert.Equal("0", host.Ok("wait", "trap").Stdout.Trim());
    }

    [RegistryFact]
    public void WritesStayInTheirContainer()
    {
        host.Ok("run", "-d", "--name", "ca", registry.Busybox, "sleep", "1000");
        host.Ok("run", "-d", "--name", "cb", registry.Busybox, "sleep", "1000");
        host.Ok("exec", "ca", "sh", "-c", "echo mine > /data; rm /bin/true");
        Assert.Equal("mine", host.Ok("exec", "ca", "cat", "/data").Stdout.Trim());
        Assert.NotEqual(0, host.Run("exec", "cb", "cat", "/data").ExitCode);
        host.Ok("exec", "cb", "sh", "-c", "test -e /bin/true");
        host.Ok("run", "--rm", registry.Busybox, "sh", "-c", "test ! -e /data && test -e /bin/true");

        // The writes survive a restart of their container.
        host.Ok("restart", "-t", "0", "ca");
        Assert.Equal("mine", host.Ok("exec", "ca", "cat", "/data").Stdout.Trim());
        host.Ok("rm", "-f", "ca", "cb");
        Assert.Empty(host.ContainerDirs());
        Assert.Empty(host.Mounts());
    }

    [RegistryFact]
    public void CreateStartKillAndInspect()
    {
        string id = host.Ok("create", "--name", "c1", "-e", "GREETING=hi", registry.Busybox, "sh", "-c", "echo $GREETING; sleep 1000").StdoutLines.Single();
        Assert.Matches(@"Created\s+c1$", host.Ok("ps", "-a").StdoutLines[1]);
        Assert.Empty(host.Mounts());
        Assert.Empty(host.Ok("ps").StdoutLines.Skip(1));
        Assert.Equal("c1", host.Ok("start", "c1").Stdout.Trim());
        string inspect = host.Ok("inspect", id[..8]).Stdout;
        Assert.Contains("\"Status\": \"running\"", inspect, StringComparison.Ordinal);
        Assert.Contains("\"Name\": \"/c1\"", inspect, StringComparison.Ordinal);
        Assert.Contains("GREETING=hi", inspect, StringComparison.Ordinal);
        Assert.Empty(host.Ok("port", "c1").Stdout);
        var noPort = host.Run("port", "c1", "80");
        Assert.True(noPort.ExitCode == 1 && noPort.Stderr.Contains("No public port '80/tcp' published for c1", StringComparison.Ordinal), noPort.ToString());
        host.Ok("pause", "c1");
        Assert.Contains("(Paused)", host.Ok("ps").StdoutLines[1], StringComparison.Ordinal);
        host.Ok("unpause", "c1");
        host.Ok("kill", "-s", "KILL", "c1");
        Assert.Equal("137", host.Ok("wait", "c1").Stdout.Trim());
        Assert.Contains("\"ExitCode\": 137", host.Ok("inspect", "c1").Stdout, StringComparison.Ordinal);
        host.Ok("rename", "c1", "c2");
        host.Ok("container", "prune", "-f");
        host.AssertGone(id);
    }
}
