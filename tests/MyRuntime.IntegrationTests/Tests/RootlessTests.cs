using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;
using MyRuntime.IntegrationTests.Infrastructure.Rootless;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>A [Fact] skipped, with the reason, when the rootless tests cannot run (no uidmap).</summary>
public sealed class RootlessFactAttribute : FactAttribute
{
    public RootlessFactAttribute()
    {
        if (RootlessHost.Missing is { } why)
        {
            Skip = why;
        }
    }
}

/// <summary>The engine as an unprivileged user: a user namespace mapped from /etc/subuid and /etc/subgid (root
/// inside is the user, 1.. the subordinate range), store and state under the user's directories, nothing under
/// the system's, and nothing left after rm.</summary>
public sealed class RootlessTests : IClassFixture<RootlessHost>
{
    private const string SystemRunRoot = "/run/myruntime";
    private const string SystemStore = "/var/lib/myruntime";

    private readonly RootlessHost host;

    public RootlessTests(RootlessHost host) => this.host = host;

    [RootlessFact]
    public void RunRm_Id_IsRootInside_MappedFromTheSubordinateRanges()
    {
        var r = host.Run("run", "--rm", "busybox", "sh", "-c", "id; cat /proc/self/uid_map /proc/self/gid_map");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("uid=0(root) gid=0(root)", r.StdoutLines[0], StringComparison.Ordinal);
        string[] Row(int i) => r.StdoutLines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["0", host.Uid.ToString(), "1"], Row(1));
        Assert.Equal(["1", RootlessHost.SubStart("/etc/subuid").ToString(), "65536"], Row(2));
        Assert.Equal("0", Row(3)[0]);
        Assert.Equal(["1", RootlessHost.SubStart("/etc/subgid").ToString(), "65536"], Row(4));
    }

    [RootlessFact]
    public void Detached_HostSeesMappedUids_PsLogsStopRm_LeaveNothing()
    {
        string name = "rl-" + Guid.NewGuid().ToString("N")[..8];
        string id = host.Ok("run", "-d", "--name", name, "busybox", "sh", "-c", "echo hello-rootless; exec sleep 1000").Stdout.Trim();
        string id2 = host.Ok("run", "-d", "--name", name + "-u", "-u", "1000", "busybox", "sleep", "1000").Stdout.Trim();
        int pid = Pid(id), pid2 = Pid(id2);

        // Root in the container is the user on the host; uid 1000 is the subordinate range's 1000th.
        Assert.Equal(host.Uid.ToString(), HostProcess.StatusField(pid, "Uid")![0]);
        Assert.Equal((RootlessHost.SubStart("/etc/subuid") + 999).ToString(), HostProcess.StatusField(pid2, "Uid")![0]);
        Assert.NotEqual(HostProcess.Namespace(Environment.ProcessId, "user"), HostProcess.Namespace(pid, "user"));

        var ps = host.Ok("ps");
        Assert.Contains(ps.StdoutLines, l => l.EndsWith(" " + name, StringComparison.Ordinal));
        Assert.Contains(ps.StdoutLines, l => l.EndsWith(" " + name + "-u", StringComparison.Ordinal));
        Assert.Contains("hello-rootless", WaitForLogs(name));
        Assert.Equal("uid=0(root)", host.Ok("exec", name, "id").Stdout.Split(' ')[0]);

        // Store and state are the user's, nothing is the system's.
        Assert.True(Directory.Exists(Path.Combine(host.StorageRoot, "containers", id)));
        Assert.True(Directory.Exists(Path.Combine(host.RunRoot, id)));
        Assert.False(Directory.Exists(Path.Combine(SystemRunRoot, id)));
        Assert.False(Directory.Exists(Path.Combine(SystemStore, "containers", id)));

        // The overlay is in the rootless mount namespace, never in the host's table.
        Assert.DoesNotContain(id, File.ReadAllText("/proc/self/mountinfo"));
        int pause = host.PausePid();
        Assert.Contains(id, File.ReadAllText($"/proc/{pause}/mountinfo"));

        host.Ok("stop", "-t", "1", name);
        host.Ok("rm", name);
        host.Ok("rm", "-f", name + "-u");

        Assert.Empty(host.Ok("ps", "-aq").StdoutLines);
        Assert.False(HostProcess.IsAlive(pid));
        Assert.False(HostProcess.IsAlive(pid2));
        Assert.DoesNotContain(id, File.ReadAllText($"/proc/{pause}/mountinfo"));
        Assert.DoesNotContain(id2, File.ReadAllText($"/proc/{pause}/mountinfo"));
        Assert.False(Directory.Exists(Path.Combine(host.StorageRoot, "containers", id)));
        Assert.False(Directory.Exists(Path.Combine(host.StorageRoot, "snapshots", id)));
        Assert.False(Directory.Exists(Path.Combine(host.RunRoot, id)));
    }

    [RootlessFact]
    public void Networks_BridgeAndPorts_FailWithOneLine_DefaultIsNone()
    {
        foreach (string[] args in new[] { new[] { "-p", "8080:80" }, ["--network", "bridge"] })
        {
            var r = host.Run(["run", "--rm", .. args, "busybox", "true"]);
            Assert.True(r.ExitCode == 125, r.ToString());
            Assert.Single(r.StderrLines);
            Assert.StartsWith("myruntime: rootless: ", r.StderrLines[0], StringComparison.Ordinal);
        }

        var none = host.Run("run", "--rm", "busybox", "ls", "/sys/class/net");
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Equal(["lo"], none.StdoutLines);
        Assert.Empty(host.Ok("ps", "-aq").StdoutLines);
    }

    [RootlessFact]
    public void Limits_OnAHostThatDoesNotDelegateCgroups_AreIgnoredWithAWarning()
    {
        if (File.Exists("/sys/fs/cgroup/cgroup.controllers"))
        {
            return; // a cgroup v2 host: covered where its tree is delegated (not this test's case)
        }

        var r = host.Run("run", "--rm", "-m", "64m", "--pids-limit", "50", "busybox", "echo", "limited");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(["limited"], r.StdoutLines);
        Assert.Contains(r.StderrLines, l => l.Contains("resource limits are not supported and ignored", StringComparison.Ordinal));
    }

    private int Pid(string id)
    {
        var inspect = JsonNode.Parse(host.Ok("inspect", id).Stdout)!.AsArray()[0]!;
        return inspect["State"]!["Pid"]!.GetValue<int>();
    }

    private string WaitForLogs(string name)
    {
        var until = DateTime.UtcNow + TestEnv.ShortTimeout;
        string text;
        do
        {
            text = host.Ok("logs", name).Stdout;
        }
        while (text.Length == 0 && DateTime.UtcNow < until && Sleep());
        return text;
    }

    private static bool Sleep()
    {
        Thread.Sleep(100);
        return true;
    }
}
