using System.Security.Cryptography;
using System.Text.Json;
using MyRuntime.IntegrationTests.Infrastructure;
using MyRuntime.IntegrationTests.Infrastructure.Containerd;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>Debian's containerd 1.6 runs containers through the runtime under test: ctr with the runc v2 shim and
/// --runc-binary. Each test checks what a ctr user sees (output, exit codes, task states, error messages) and that
/// nothing is left behind (shim, runtime state, cgroups, mounts).</summary>
public sealed class ContainerdTests(ContainerdFixture fixture) : IClassFixture<ContainerdFixture>
{
    private ContainerdDaemon D => fixture.Daemon;

    private static string NewId() => "ctd-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    private static string[] RunArgs(string id, params string[] extra) =>
        ["run", "--runtime", "io.containerd.runc.v2", "--runc-binary", TestSettings.RuntimeBinary, .. extra, ContainerdDaemon.ImageRef, id];

    [ContainerdFact]
    public void Run_PrintsTheOutputAndPassesTheExitStatusOn()
    {
        string id = NewId();
        try
        {
            var r = D.Ctr([.. RunArgs(id, "--rm"), "echo", "hello"]);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal(["hello"], r.StdoutLines);
            D.AssertNoLeftovers(id);
            Assert.DoesNotContain(id, D.CtrOk("container", "ls", "-q").StdoutLines);

            r = D.Ctr([.. RunArgs(id, "--rm"), "sh", "-c", "echo out; echo err >&2; exit 3"]);
            Assert.True(r.ExitCode == 3, r.ToString());
            Assert.Equal(["out"], r.StdoutLines);
            Assert.Contains("err", r.StderrLines);
            D.AssertNoLeftovers(id);
        }
        finally
        {
            D.Remove(id);
        }
    }

    [ContainerdFact]
    public void Detached_ExecPsMetricsPauseUpdateKillDelete()
    {
        string id = NewId();
        try
        {
            D.CtrOk([.. RunArgs(id, "-d"), "sleep", "1000"]);
            Assert.Equal("RUNNING", D.TaskStatus(id));
            int pid = int.Parse(D.CtrOk("task", "ls").StdoutLines.Single(l => l.StartsWith(id + " ", StringComparison.Ordinal))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);

            var exec = D.Ctr("task", "exec", "--exec-id", "x1", id, "sh", "-c", "echo hi; exit 4");
            Assert.True(exec.ExitCode == 4, exec.ToString());
            Assert.Equal(["hi"], exec.StdoutLines);
            D.CtrOk("task", "exec", "--detach", "--exec-id", "x2", id, "sleep", "999");

            // ctr task ps: the shim runs `ps --format json ID` and lists the pids it returns.
            var ps = D.CtrOk("task", "ps", id).StdoutLines.Skip(1).Select(l => int.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(2, ps.Count);
            Assert.Contains(pid, ps);

            // The same calls straight to the runtime, with the --root the shim gives it: what runc prints.
            var runtimePs = HostCommand.Run(TestSettings.RuntimeBinary, "--root", D.RuntimeRoot, "ps", "--format", "json", id);
            Assert.True(runtimePs.ExitCode == 0, runtimePs.ToString());
            using (var pids = JsonDocument.Parse(runtimePs.Stdout))
            {
                Assert.Equal(ps.Order(), pids.RootElement.EnumerateArray().Select(p => p.GetInt32()).Order());
            }

            var events = HostCommand.Run(TestSettings.RuntimeBinary, "--root", D.RuntimeRoot, "events", "--stats", id);
            Assert.True(events.ExitCode == 0, events.ToString());
            var line = Assert.Single(events.StdoutLines);
            using (var doc = JsonDocument.Parse(line))
            {
                var e = doc.RootElement;
                Assert.Equal("stats", e.GetProperty("type").GetString());
                Assert.Equal(id, e.GetProperty("id").GetString());
                var data = e.GetProperty("data");
                Assert.True(data.GetProperty("cpu").GetProperty("usage").GetProperty("total").GetUInt64() > 0, line);
                Assert.True(data.GetProperty("memory").GetProperty("usage").GetProperty("usage").GetUInt64() > 0, line);
                Assert.Equal(2, data.GetProperty("pids").GetProperty("current").GetInt32());
                Assert.Equal(JsonValueKind.Object, data.GetProperty("blkio").ValueKind);
            }

            // ctr task metrics: the shim reads the cgroup the runtime put the container in.
            using (var metrics = JsonDocument.Parse(D.CtrOk("task", "metrics", "--format", "json", id).Stdout))
            {
                Assert.Equal(2, metrics.RootElement.GetProperty("pids").GetProperty("current").GetInt32());
            }

            D.CtrOk("task", "pause", id);
            Assert.Equal("PAUSED", D.TaskStatus(id));
            D.CtrOk("task", "resume", id);
            Assert.Equal("RUNNING", D.TaskStatus(id));

            // Tasks.Update (the CRI's UpdateContainerResources): the shim runs `update --resources -`.
            var (status, message) = ContainerdTaskUpdate.Send(D.Socket, D.Namespace, id, """{"memory":{"limit":67108864},"pids":{"limit":77}}""");
            Assert.True(status == 0, $"update failed: {status} {message}");
            Assert.Equal("77", File.ReadAllText(Path.Combine(CgroupSupport.CgroupDir(pid, "pids"), "pids.max")).Trim());
            string memory = CgroupSupport.CgroupDir(pid, "memory");
            Assert.Equal("67108864", File.ReadAllText(Path.Combine(memory, CgroupSupport.V2 ? "memory.max" : "memory.limit_in_bytes")).Trim());

            if (!CgroupSupport.V2)
            {
                // A limit v1 refuses (EBUSY: the container uses more): the shim passes on the runtime's stderr.
                // runc: "unable to set memory limit to 4096 (current usage: N, peak usage: M)".
                (status, message) = ContainerdTaskUpdate.Send(D.Socket, D.Namespace, id, """{"memory":{"limit":4096}}""");
                Assert.True(status != 0, "an update to a 4 KiB memory limit succeeded");
                Assert.Contains("unable to set memory limit to 4096 (current usage: ", message, StringComparison.Ordinal);
            }

            var badExec = D.Ctr("task", "exec", "--exec-id", "x3", id, "/nonexistent");
            Assert.NotEqual(0, badExec.ExitCode);
            Assert.Contains("OCI runtime exec failed", badExec.Stderr, StringComparison.Ordinal);
            Assert.Contains("exec: \"/nonexistent\"", badExec.Stderr, StringComparison.Ordinal);
            Assert.Contains("no such file or directory", badExec.Stderr, StringComparison.Ordinal);

            D.CtrOk("task", "kill", "-s", "SIGKILL", id);
            Wait.Until(() => D.TaskStatus(id) == "STOPPED", TimeSpan.FromSeconds(10 * TestSettings.TimeoutScale), $"task {id} STOPPED");
            var again = D.Ctr("task", "kill", "-s", "SIGKILL", id);
            Assert.NotEqual(0, again.ExitCode);
            Assert.Contains("process already finished", again.Stderr, StringComparison.Ordinal);
            D.CtrOk("task", "delete", id);
            Assert.Null(D.TaskStatus(id));
            D.CtrOk("container", "delete", id);
            D.AssertNoLeftovers(id);
            Assert.False(HostProcess.IsAlive(pid), $"container init {pid} still alive");
        }
        finally
        {
            D.Remove(id);
        }
    }

    [ContainerdFact]
    public void Terminal_RunsThroughTheConsoleSocket()
    {
        string id = NewId();
        try
        {
            string ctr = string.Join(' ', ["ctr", "-a", D.Socket, "-n", D.Namespace, .. RunArgs(id, "--rm", "-t"), "sh", "-c", "'tty; exit 5'"]);
            var r = HostCommand.Run("script", "-q", "-e", "-c", ctr, "/dev/null");
            Assert.True(r.ExitCode == 5, r.ToString());
            Assert.Contains("/dev/pts/", r.Stdout, StringComparison.Ordinal);
            D.AssertNoLeftovers(id);
        }
        finally
        {
            D.Remove(id);
        }
    }

    [ContainerdFact]
    public void MissingCommand_FailsWithTheRuntimesOwnMessage_AndLeavesNothing()
    {
        string id = NewId();
        try
        {
            var r = D.Ctr([.. RunArgs(id, "--rm"), "/nonexistent"]);
            Assert.NotEqual(0, r.ExitCode);

            // runc: "OCI runtime create failed: runc create failed: unable to start container process: exec:
            // "/nonexistent": stat /nonexistent: no such file or directory: unknown". The shim takes the message
            // from the last error line of the runtime's --log; without one, ctr would show only "exit status 1".
            Assert.Contains("OCI runtime create failed", r.Stderr, StringComparison.Ordinal);
            Assert.Contains("exec: \"/nonexistent\"", r.Stderr, StringComparison.Ordinal);
            Assert.Contains("no such file or directory", r.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("exit status", r.Stderr, StringComparison.Ordinal);
            D.AssertNoLeftovers(id);
            Assert.DoesNotContain(id, D.CtrOk("container", "ls", "-q").StdoutLines);
            Assert.DoesNotContain(id, D.CtrOk("snapshot", "ls").StdoutLines.Select(l => l.Split(' ')[0]));
        }
        finally
        {
            D.Remove(id);
        }
    }
}
