using System.Text.RegularExpressions;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>2. Namespaces: mounts, processes, network, IPC stay inside the container.</summary>
public sealed partial class IsolationTests : IntegrationTest
{
    [Fact]
    public void HostMountTable_IsUnchanged_DuringAndAfterContainers()
    {
        var before = MountSnapshot.Take();

        // Foreground run that looks at its own mounts.
        var bundle = Env.NewBundle().Shell("cat /proc/self/mountinfo").Save();
        var r = Env.Runtime.Run("run", "--bundle", bundle.Dir, Env.NewId());
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains(r.StdoutLines, l => MountSnapshot.MountPointOf(l) == "/proc");
        before.AssertUnchanged(MountSnapshot.Take(), "after a foreground run");

        // A created and a running container.
        var (id, pid) = Env.CreateAndStart(Env.NewBundle(), "sleep", "1000");
        Assert.NotEqual(HostProcess.Namespace(Environment.ProcessId, "mnt"), HostProcess.Namespace(pid, "mnt"));
        before.AssertUnchanged(MountSnapshot.Take(), "while a container is running");

        Env.RunOk("kill", id, "KILL");
        Env.WaitForStatus(id, "stopped");
        Env.RunOk("delete", id);
        before.AssertUnchanged(MountSnapshot.Take(), "after kill + delete");
    }

    [Fact]
    public void Container_SeesOnlyItsOwnProcesses()
    {
        // "echo ==end" keeps ls from being the last command, which sh would exec as PID 1.
        var bundle = Env.NewBundle().Shell("ps; echo ==proc; ls /proc; echo ==end").Save();

        var r = Env.Runtime.Run("run", "--bundle", bundle.Dir, Env.NewId());

        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.StdoutLines;
        var split = lines.ToList().IndexOf("==proc");
        Assert.True(split > 0, r.ToString());

        // ps: a header, then PID 1 (the shell) and the ps process itself.
        var psRows = lines.Take(split).Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.True(psRows.Count == 2, "expected exactly 2 processes in ps:\n" + r);
        Assert.Contains(psRows, row => row[0] == "1");
        Assert.Contains(psRows, row => row[0] != "1" && row.Skip(1).Any(c => c.Contains("ps", StringComparison.Ordinal)));

        // /proc: PID 1 and the ls process, nothing from the host.
        var numeric = lines.Skip(split + 1).TakeWhile(l => l != "==end")
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(e => e.All(char.IsAsciiDigit)).ToList();
        Assert.True(numeric.Count == 2, "expected exactly 2 pids in /proc, got: " + string.Join(' ', numeric));
        Assert.Contains("1", numeric);
    }

    [Fact]
    public void Container_NetworkNamespace_HasOnlyLoopback()
    {
        var bundle = Env.NewBundle().Shell("ip link").Save();

        var r = Env.Runtime.Run("run", "--bundle", bundle.Dir, Env.NewId());

        Assert.True(r.ExitCode == 0, r.ToString());
        var interfaces = r.StdoutLines
            .Select(l => InterfaceLine().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToList();
        Assert.Equal(new[] { "lo" }, interfaces);
    }

    [Fact]
    public void Container_DoesNotSeeHostSysvIpcObjects()
    {
        var msgId = CreateIpc("-Q", "Message queue id");
        int? shmId = null;
        try
        {
            shmId = CreateIpc("-M", "Shared memory id", "4096");
            Assert.Contains(File.ReadAllLines("/proc/sysvipc/msg").Skip(1),
                l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == msgId.ToString(System.Globalization.CultureInfo.InvariantCulture));

            var bundle = Env.NewBundle().Shell("cat /proc/sysvipc/msg; echo ==shm; cat /proc/sysvipc/shm").Save();
            var r = Env.Runtime.Run("run", "--bundle", bundle.Dir, Env.NewId());

            Assert.True(r.ExitCode == 0, r.ToString());
            var lines = r.StdoutLines.ToList();
            var split = lines.IndexOf("==shm");
            Assert.True(split >= 0, r.ToString());
            // Only the header line of each table: no queue and no segment is visible.
            Assert.True(split == 1 && lines.Count == split + 2, "container sees host IPC objects:\n" + r);
            Assert.StartsWith("key", lines[0].Trim(), StringComparison.Ordinal);
        }
        finally
        {
            HostCommand.Run("ipcrm", "-q", msgId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (shmId is not null)
            {
                HostCommand.Run("ipcrm", "-m", shmId.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    [Fact]
    public void Container_HasItsOwnNamespaces()
    {
        var bundle = Env.NewBundle();
        var (_, pid) = Env.CreateAndStart(bundle, "sleep", "1000");

        var self = Environment.ProcessId;
        var map = new Dictionary<string, string>
        {
            ["pid"] = "pid",
            ["network"] = "net",
            ["ipc"] = "ipc",
            ["uts"] = "uts",
            ["mount"] = "mnt",
            ["cgroup"] = "cgroup",
        };
        foreach (var type in bundle.NamespaceTypes)
        {
            if (!map.TryGetValue(type, out var procName))
            {
                continue;
            }

            var host = HostProcess.Namespace(self, procName);
            var container = HostProcess.Namespace(pid, procName);
            Assert.NotNull(container);
            Assert.True(host != container, $"{type} namespace is shared with the host ({container})");
        }
    }

    private static int CreateIpc(string kind, string label, params string[] extra)
    {
        var r = HostCommand.Run("ipcmk", new[] { kind }.Concat(extra).ToArray());
        Assert.True(r.ExitCode == 0, r.ToString());
        var m = Regex.Match(r.Stdout, label + @":\s*(\d+)");
        Assert.True(m.Success, r.ToString());
        return int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^\d+:\s+([^:@\s]+)[@:]")]
    private static partial Regex InterfaceLine();
}
