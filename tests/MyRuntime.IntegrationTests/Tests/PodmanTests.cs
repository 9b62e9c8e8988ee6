using MyRuntime.IntegrationTests.Infrastructure;
using MyRuntime.IntegrationTests.Infrastructure.Podman;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>A [Fact] skipped, with the reason, when podman is not installed.</summary>
public sealed class PodmanFactAttribute : FactAttribute
{
    public PodmanFactAttribute()
    {
        if (PodmanHost.Missing is { } why)
        {
            Skip = why;
        }
    }
}

/// <summary>Debian's podman 4.3 (through conmon) runs its containers with myruntime as the OCI runtime: what a
/// podman user sees — output, exit codes, ps states, logs, a terminal, pause, update, errors — and nothing left in
/// the runtime's state, the cgroups or the mount table afterwards.</summary>
public sealed class PodmanTests : IClassFixture<PodmanTests.Host>, IDisposable
{
    private readonly PodmanHost podman;
    private readonly List<string> names = [];

    public PodmanTests(Host host) => podman = host.Podman;

    private string NewName()
    {
        string n = "mrt-pm-" + Guid.NewGuid().ToString("N")[..8];
        names.Add(n);
        return n;
    }

    private string[] RunArgs(string verb, params string[] rest) => [verb, .. podman.ContainerFlags, .. rest];

    [PodmanFact]
    public void Run_PrintsOutput_ExitStatusPropagates_NothingLeft()
    {
        var r = podman.Run(RunArgs("run", "--rm", PodmanHost.Image, "sh", "-c", "echo hello from podman; hostname; exit 3"));
        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Equal("hello from podman", r.StdoutLines[0]);

        var ok = podman.Run(RunArgs("run", "--rm", PodmanHost.Image, "cat", "/proc/1/comm"));
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal("cat", ok.Stdout.Trim()); // the program is the container's PID 1

        Assert.Empty(podman.Ok("ps", "-a", "-q").StdoutLines);
        Assert.Empty(podman.LeftCgroups());
    }

    [PodmanFact]
    public void Detached_PsExecLogsPauseUpdateKillRm()
    {
        string name = NewName();
        var run = podman.Run(RunArgs("run", "-d", "--name", name, PodmanHost.Image, "sh", "-c", "echo started; exec sleep 1000"));
        Assert.True(run.ExitCode == 0, run.ToString());
        string id = run.Stdout.Trim();
        Assert.Matches("^[0-9a-f]{64}$", id);
        Assert.True(File.Exists($"/run/myruntime/{id}/state.json"), "myruntime keeps the container's state");
        Assert.Equal("running", Status(name));
        Assert.StartsWith("Up ", podman.Ok("ps", "--filter", "name=" + name, "--format", "{{.Status}}").Stdout.Trim(), StringComparison.Ordinal);

        // exec: output and exit status of the process run in the container
        var exec = podman.Run("exec", name, "sh", "-c", "echo in-exec $(cat /proc/1/comm); exit 4");
        Assert.True(exec.ExitCode == 4, exec.ToString());
        Assert.Equal("in-exec sleep", exec.Stdout.Trim());

        Wait.Until(() => podman.Run("logs", name).Stdout.Contains("started", StringComparison.Ordinal), TestEnv.ShortTimeout, "log line");

        // pause / unpause: the processes are frozen, then thawed
        podman.Ok("pause", name);
        Assert.Equal("paused", Status(name));
        int pid = int.Parse(podman.Ok("inspect", name, "--format", "{{.State.Pid}}").Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Wait.Until(() => ProcState(pid) is 'D' or 'S' && Frozen(pid), TestEnv.ShortTimeout, "frozen");
        podman.Ok("unpause", name);
        Assert.Equal("running", Status(name));
        Assert.False(Frozen(pid));

        // update: the new memory limit is the cgroup's
        podman.Ok("update", "--memory", "64m", name);
        Assert.Equal(64L * 1024 * 1024, MemoryLimit(pid));

        // kill: sleep as PID 1 has no handler for TERM, KILL ends it
        podman.Ok("kill", "-s", "KILL", name);
        Wait.Until(() => Status(name) == "exited", TestEnv.ShortTimeout, "exited");
        Assert.Equal("137", podman.Ok("inspect", name, "--format", "{{.State.ExitCode}}").Stdout.Trim());

        podman.Ok("rm", name);
        Assert.False(Directory.Exists($"/run/myruntime/{id}"), "myruntime's state is deleted with the container");
        Assert.Empty(podman.LeftCgroups());
    }

    [PodmanFact]
    public void Stop_SendsTheStopSignal_ProgramExitsCleanly()
    {
        string name = NewName();
        podman.Ok(RunArgs("run", "-d", "--name", name, PodmanHost.Image, "sh", "-c", "trap 'echo got-term; exit 0' TERM; echo ready; while :; do sleep 0.1; done"));
        Wait.Until(() => podman.Run("logs", name).Stdout.Contains("ready", StringComparison.Ordinal), TestEnv.ShortTimeout, "ready");
        var stop = podman.Run("stop", "-t", "20", name);
        Assert.True(stop.ExitCode == 0 && stop.Elapsed < TimeSpan.FromSeconds(15), stop.ToString());
        Assert.Equal("exited", Status(name));
        Assert.Equal("0", podman.Ok("inspect", name, "--format", "{{.State.ExitCode}}").Stdout.Trim());
        Assert.Contains("got-term", podman.Ok("logs", name).Stdout, StringComparison.Ordinal);
        podman.Ok("rm", name);
    }

    [PodmanFact]
    public void RunInteractiveTerminal_ThroughConmonsConsoleSocket()
    {
        string cmd = string.Join(' ', ["podman", "run", "-it", "--rm", .. podman.ContainerFlags, PodmanHost.Image, "sh"]);
        var r = podman.RunInTerminal(cmd, "tty; echo cols=$(stty size); exit 7\n");
        Assert.True(r.ExitCode == 7, r.ToString());
        Assert.Contains("/dev/pts/0", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("cols=", r.Stdout, StringComparison.Ordinal);
        Assert.Empty(podman.Ok("ps", "-a", "-q").StdoutLines);
    }

    [PodmanFact]
    public void ExecWithTerminal_DetachedExec_Stats_Restart()
    {
        string name = NewName();
        podman.Ok(RunArgs("run", "-d", "--name", name, PodmanHost.Image, "sleep", "1000"));
        var tty = podman.RunInTerminal($"podman exec -it {name} sh", "tty; exit 5\n");
        Assert.True(tty.ExitCode == 5, tty.ToString());
        Assert.Contains("/dev/pts/", tty.Stdout, StringComparison.Ordinal);

        var detached = podman.Run("exec", "-d", name, "sleep", "999");
        Assert.True(detached.ExitCode == 0, detached.ToString());
        Wait.Until(() => podman.Ok("top", name).Stdout.Contains("sleep 999", StringComparison.Ordinal), TestEnv.ShortTimeout, "exec'd process in top");

        var stats = podman.Ok("stats", "--no-stream", "--format", "{{.PIDs}}", name);
        Assert.Equal("2", stats.Stdout.Trim()); // the cgroup counts the init and the detached exec

        podman.Ok("restart", "-t", "0", name);
        Assert.Equal("running", Status(name));
        podman.Ok("rm", "-f", "-t", "0", name);
        Assert.Empty(podman.LeftCgroups());
    }

    [PodmanFact]
    public void RuntimeErrors_ReachPodman_AsTheRuntimesOwnLine_NothingLeft()
    {
        var missing = podman.Run(RunArgs("run", "--rm", PodmanHost.Image, "/no/such/program"));
        Assert.True(missing.ExitCode == 127, missing.ToString());
        Assert.Contains("myruntime", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("/no/such/program", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("no such file or directory", missing.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("does not exist", missing.Stderr, StringComparison.Ordinal); // delete --force of the failed create is quiet

        // a limit above the hard limit this process may raise to (no CAP_SYS_RESOURCE here): the init's setrlimit fails
        var rlimit = podman.Run(RunArgs("run", "--rm", "--ulimit", "nofile=99999999:99999999", PodmanHost.Image, "true"));
        Assert.True(rlimit.ExitCode == 126, rlimit.ToString());
        Assert.Contains("myruntime", rlimit.Stderr, StringComparison.Ordinal);
        Assert.Contains("rlimits: operation not permitted", rlimit.Stderr, StringComparison.Ordinal);

        // a memory limit too small to live in: the OOM killer ends the init, before it is ready (the runtime says
        // so) or right after it started (137, as any OOM-killed container)
        var oom = podman.Run(RunArgs("run", "--rm", "--memory", "100k", PodmanHost.Image, "true"));
        Assert.True(oom.ExitCode == 137 || (oom.ExitCode != 0 && oom.Stderr.Contains("OOM killer", StringComparison.Ordinal)), oom.ToString());

        Assert.Empty(podman.Ok("ps", "-a", "-q").StdoutLines);
        Assert.Empty(podman.LeftCgroups());
    }

    [PodmanFact]
    public void PodmanProbes_VersionAndCheckpoint_AnsweredAsRunc()
    {
        var info = podman.Ok("info", "--format", "{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Version}}");
        Assert.StartsWith("myruntime ", info.Stdout.Trim(), StringComparison.Ordinal);
        Assert.Contains("myruntime version", info.Stdout, StringComparison.Ordinal);

        string name = NewName();
        podman.Ok(RunArgs("run", "-d", "--name", name, PodmanHost.Image, "sleep", "1000"));
        var cp = podman.Run("container", "checkpoint", name);
        Assert.True(cp.ExitCode != 0, cp.ToString());
        Assert.Equal("running", Status(name)); // a refused checkpoint leaves the container as it was
        podman.Ok("rm", "-f", "-t", "0", name);
    }

    public void Dispose()
    {
        foreach (string n in names)
        {
            podman.Run("rm", "-f", "-t", "0", n);
        }
    }

    private string Status(string name) => podman.Ok("inspect", name, "--format", "{{.State.Status}}").Stdout.Trim();

    private static char ProcState(int pid) =>
        File.Exists($"/proc/{pid}/stat") ? File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1][0] : '?';

    private static bool Frozen(int pid) => CgroupFile(pid, "freezer", "freezer.state", "cgroup.freeze") is "FROZEN" or "1";

    private static long MemoryLimit(int pid) =>
        long.Parse(CgroupFile(pid, "memory", "memory.limit_in_bytes", "memory.max"), System.Globalization.CultureInfo.InvariantCulture);

    private static string CgroupFile(int pid, string controller, string v1File, string v2File)
    {
        string dir = CgroupSupport.CgroupDir(pid, controller);
        return File.ReadAllText(Path.Combine(dir, File.Exists(Path.Combine(dir, v1File)) ? v1File : v2File)).Trim();
    }

    /// <summary>One podman setup for the class.</summary>
    public sealed class Host : IDisposable
    {
        private readonly Lazy<PodmanHost> podman = new(() => new PodmanHost());

        public PodmanHost Podman => podman.Value;

        public void Dispose()
        {
            if (podman.IsValueCreated)
            {
                podman.Value.Dispose();
            }
        }
    }
}
