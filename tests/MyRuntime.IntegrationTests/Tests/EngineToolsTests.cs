using MyRuntime.IntegrationTests.Infrastructure;
using MyRuntime.IntegrationTests.Infrastructure.Engine;
using MyRuntime.IntegrationTests.Infrastructure.Registry;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>--init, logs with its options, stats and top.</summary>
public sealed class EngineToolsTests(EngineRegistry registry) : IClassFixture<EngineRegistry>, IDisposable
{
    private readonly EngineHost host = new();

    public void Dispose() => host.Dispose();

    [RegistryFact]
    public void InitReapsOrphansAndPassesTheExitCode()
    {
        // Ten children each leave an orphan that exits; under --init PID 1 reaps them all.
        const string script = "for i in 1 2 3 4 5 6 7 8 9 10; do sh -c 'sleep 0.2 & exit 0'; done; sleep 1.5; "
            + "cat /proc/1/cmdline | tr '\\0' ' '; echo; echo zombies=$(cat /proc/[0-9]*/stat | awk '$3 == \"Z\"' | wc -l); exit 7";
        var r = host.Run("run", "--rm", "--init", registry.Busybox, "sh", "-c", script);
        Assert.True(r.ExitCode == 7, r.ToString());
        Assert.Contains("__init", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("zombies=0", r.Stdout, StringComparison.Ordinal);
        Assert.Empty(host.ContainerDirs());
    }

    [RegistryFact]
    public void InitForwardsStopSignal()
    {
        host.Ok("run", "-d", "--init", "--name", "inited", registry.Busybox, "sh", "-c", "trap 'exit 3' TERM; echo ready; while true; do sleep 0.1; done");
        Wait.Until(() => host.Run("logs", "inited").Stdout.Contains("ready", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the trap is set");
        var stop = host.Ok("stop", "inited");
        Assert.True(stop.Elapsed.TotalSeconds < 5, stop.ToString());
        Assert.Equal("3", host.Ok("wait", "inited").Stdout.Trim());
    }

    [RegistryFact]
    public void LogsTailTimestampsAndFollow()
    {
        host.Ok("run", "-d", "--name", "talker", registry.Busybox, "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done; sleep 0.5; echo oops >&2; sleep 1; echo last");
        var follow = host.Ok("logs", "-f", "talker");
        Assert.Equal("line1\nline2\nline3\nline4\nline5\nlast\n", follow.Stdout);
        Assert.Equal("oops\n", follow.Stderr);
        Assert.Equal("line5\nlast\n", host.Ok("logs", "--tail", "3", "talker").Stdout);
        var stamped = host.Ok("logs", "-t", "--tail", "1", "talker").Stdout;
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z last\n$", stamped);
        Assert.Empty(host.Ok("logs", "--since", "2999-01-01T00:00:00Z", "talker").Stdout);
    }

    [RegistryFact]
    public void StatsAndTop()
    {
        host.Ok("run", "-d", "--name", "busy", "--memory", "64m", registry.Busybox, "sh", "-c", "while true; do :; done");
        var stats = host.Ok("stats", "--no-stream", "busy");
        Assert.Matches(@"CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE / LIMIT\s+MEM %\s+NET I/O\s+BLOCK I/O\s+PIDS", stats.StdoutLines[0]);
        var m = System.Text.RegularExpressions.Regex.Match(stats.StdoutLines[1], @"busy\s+([0-9.]+)%\s+\S+ / 64MiB\s+[0-9.]+%\s+\S+ / \S+\s+\S+ / \S+\s+(\d+)");
        Assert.True(m.Success, stats.ToString());
        Assert.True(double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 10, stats.ToString());
        Assert.Equal("1", m.Groups[2].Value);

        var top = host.Ok("top", "busy");
        Assert.Matches(@"^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD", top.StdoutLines[0]);
        Assert.Contains("while true", top.Stdout, StringComparison.Ordinal);
        host.Ok("rm", "-f", "busy");
    }

    [RegistryFact]
    public void OomKillIsReported()
    {
        var r = host.Run("run", "--name", "hog", "--memory", "16m", "--memory-swap", "16m", registry.Busybox, "sh", "-c", "x=a; while true; do x=$x$x; done");
        Assert.True(r.ExitCode == 137, r.ToString());
        Assert.Contains("OOM", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("\"OOMKilled\": true", host.Ok("inspect", "hog").Stdout, StringComparison.Ordinal);
    }

    [RegistryFact]
    public void ImageOfAContainerIsNotRemoved()
    {
        host.Ok("create", "--name", "keeper", registry.Busybox, "true");
        var rmi = host.Run("rmi", registry.Busybox);
        Assert.True(rmi.ExitCode != 0, rmi.ToString());
        host.Ok("rm", "keeper");
        host.Ok("rmi", registry.Busybox);
        Assert.Empty(host.Ok("images", "-q").StdoutLines);
    }
}
