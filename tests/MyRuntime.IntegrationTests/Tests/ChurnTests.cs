using System.Globalization;
using MyRuntime.IntegrationTests.Infrastructure;
using MyRuntime.IntegrationTests.Infrastructure.Engine;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>Many create/start/delete cycles leave the host as they found it (bench/churn.sh runs 1000): mounts,
/// cgroups, links, iptables rules, processes, and the descriptors of the runtime's long-lived processes (the
/// created container's init, a copy of the runtime; the engine's monitor).</summary>
public sealed class ChurnTests : IntegrationTest
{
    private const int OciCycles = 100;
    private const int EngineCycles = 30;

    [Fact]
    public void OciCreateStartDelete_HundredCycles_LeaveNothing()
    {
        var bundle = Env.NewBundle().Args("/bin/true").Save();
        var mounts = MountSnapshot.Take();
        string prefix = "it-churn-" + Env.Token[..8];
        string? current = null;
        var fds = new List<string>();
        try
        {
            for (int i = 0; i < OciCycles; i++)
            {
                current = $"{prefix}-{i}";
                Ok(Env.Run("create", "--bundle", bundle.Dir, current));
                int pid = TestEnv.Pid(Env.State(current));
                if (i == 0 || i == OciCycles - 1)
                {
                    fds.Add(string.Join(' ', Directory.GetFileSystemEntries($"/proc/{pid}/fd").Select(Path.GetFileName).Order(StringComparer.Ordinal)));
                }

                Ok(Env.Run("start", current));
                Env.WaitForStatus(current, "stopped");
                Ok(Env.Run("delete", current));
                current = null;
            }
        }
        finally
        {
            if (current is not null)
            {
                Env.Run("delete", "--force", current);
            }
        }

        // The created init holds the same descriptors (stdio and the exec FIFO) on the last cycle as on the first.
        Assert.Equal(fds[0], fds[1]);
        mounts.AssertUnchanged(MountSnapshot.Take(), $"after {OciCycles} cycles");
        Assert.Empty(Env.StateEntries());
        Assert.Empty(OwnCgroups(prefix));
        Env.AssertNoLeftoverProcesses();
    }

    [Fact]
    public void EngineRunRm_ThirtyCycles_LeaveNothing()
    {
        using var host = new EngineHost();
        string tar = Path.Combine(host.Dir, "rootfs.tar");
        Assert.Equal(0, HostCommand.Run("tar", "-C", TestSettings.ImageRootfs, "--numeric-owner", "-cf", tar, ".").ExitCode);
        host.Ok("import", tar, "churn:latest");

        // One long-lived container: its monitor's descriptors must not change while others come and go.
        string longId = host.Ok("run", "-d", "churn:latest", "sleep", "1000").StdoutLines.Single();
        int monitor = MonitorOf(host, longId);
        int monitorFds = FdCount(monitor);
        var ids = new List<string> { longId };
        for (int i = 0; i < EngineCycles; i++)
        {
            // The hostname is the short id: what names its cgroups and veth.
            ids.Add(host.Ok("run", "--rm", "churn:latest", "hostname").Stdout.Trim());
        }

        Assert.Equal(monitorFds, FdCount(monitor));
        Assert.Equal([longId[..12]], host.Ok("ps", "-aq").StdoutLines);
        host.Ok("rm", "-f", longId);
        host.Ok("network", "rm", "bridge");

        Assert.Empty(host.Mounts());
        Assert.Empty(host.ContainerDirs());
        Assert.Empty(Directory.Exists(host.RunRoot) ? Directory.GetDirectories(host.RunRoot) : []);
        Assert.All(ids, id => Assert.Empty(OwnCgroups(id[..12])));
        string linksAfter = string.Join('\n', HostCommand.Run("ip", "-o", "link").StdoutLines.Select(l => l.Split(':')[1].Trim()).Order(StringComparer.Ordinal));
        Assert.All(ids, id => Assert.DoesNotContain(id[..11], linksAfter, StringComparison.Ordinal));
        Assert.DoesNotContain(host.Bridge, linksAfter, StringComparison.Ordinal);
        Assert.DoesNotContain(HostCommand.Run("iptables-save").StdoutLines, l => l.Contains(host.BridgePrefix + ".", StringComparison.Ordinal));
        Assert.False(HostProcess.IsAlive(monitor));
        Assert.Empty(ProcessesNaming(host.Dir));
    }

    internal static int MonitorOf(EngineHost host, string id)
    {
        using var inspect = System.Text.Json.JsonDocument.Parse(host.Ok("inspect", id).Stdout);
        int pid = inspect.RootElement[0].GetProperty("State").GetProperty("Pid").GetInt32();
        return int.Parse(HostProcess.StatusField(pid, "PPid")![0], CultureInfo.InvariantCulture);
    }

    internal static int FdCount(int pid) => Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;

    /// <summary>Cgroup directories (any hierarchy) whose name starts with myruntime-PREFIX.</summary>
    internal static List<string> OwnCgroups(string prefix) =>
        Directory.EnumerateDirectories("/sys/fs/cgroup", "*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4, IgnoreInaccessible = true })
            .Where(d => Path.GetFileName(d).StartsWith("myruntime-" + prefix, StringComparison.Ordinal)).ToList();

    /// <summary>Live processes whose command line names <paramref name="dir"/> (monitors carry the store's path).</summary>
    internal static List<string> ProcessesNaming(string dir)
    {
        var found = new List<string>();
        foreach (string p in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(p), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(p, "cmdline")).Contains(dir + "/", StringComparison.Ordinal) && HostProcess.IsAlive(pid))
                {
                    found.Add(HostProcess.Describe(pid));
                }
            }
            catch (IOException)
            {
            }
        }

        return found;
    }

    private static void Ok(ProcResult r) => Assert.True(r.ExitCode == 0, r.ToString());
}
