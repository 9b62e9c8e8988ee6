using MyRuntime.IntegrationTests.Infrastructure;
using MyRuntime.IntegrationTests.Infrastructure.Engine;
using MyRuntime.IntegrationTests.Infrastructure.Registry;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>Many containers at once, and recovery after a monitor is killed.</summary>
public sealed class EngineScaleTests(EngineRegistry registry) : IClassFixture<EngineRegistry>, IDisposable
{
    private readonly EngineHost host = new();

    public void Dispose() => host.Dispose();

    [RegistryFact]
    public void FiftyDetachedContainers()
    {
        host.Ok("pull", registry.Busybox);
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 50, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            ids.Add(host.Ok("run", "-d", "--name", $"many{i}", registry.Busybox, "sleep", "1000").StdoutLines.Single()));
        Assert.Equal(50, ids.Distinct().Count());
        var ps = host.Ok("ps", "--no-trunc", "--format", "json");
        Assert.Equal(50, ps.StdoutLines.Count);
        Assert.All(ids, id => Assert.Contains(id, ps.Stdout, StringComparison.Ordinal));
        Assert.Equal(50, host.Mounts().Count);

        // 50 distinct addresses of the default network, 50 veths on its bridge.
        using (var inspect = System.Text.Json.JsonDocument.Parse(host.Ok(["inspect", .. ids]).Stdout))
        {
            var addresses = inspect.RootElement.EnumerateArray().Select(c => c.GetProperty("NetworkSettings").GetProperty("IPAddress").GetString()).ToList();
            Assert.Equal(50, addresses.Distinct().Count());
            Assert.All(addresses, a => Assert.StartsWith(host.BridgePrefix + ".", a, StringComparison.Ordinal));
        }

        Assert.Equal(50, HostCommand.Run("ip", "-o", "link", "show", "master", host.Bridge).StdoutLines.Count(l => l.Length > 0));

        host.Ok(["rm", "-f", .. ids]);
        Wait.Until(() => !HostCommand.Run("ip", "-o", "link", "show", "master", host.Bridge).StdoutLines.Any(l => l.Length > 0), TimeSpan.FromSeconds(20), "no veth left on the bridge");
        using (var network = System.Text.Json.JsonDocument.Parse(host.Ok("network", "inspect", "bridge").Stdout))
        {
            Assert.Empty(network.RootElement[0].GetProperty("Containers").EnumerateObject());
        }

        Assert.Empty(host.Ok("ps", "-aq").StdoutLines);
        Assert.Empty(host.ContainerDirs());
        Assert.Empty(host.Mounts());
        Assert.All(ids, id => Assert.Empty(CgroupSupport.CgroupDirsNamed(id)));
    }

    [RegistryFact]
    public void KilledMonitorThenPsAndRm()
    {
        string id = host.Ok("run", "-d", registry.Busybox, "sleep", "1000").StdoutLines.Single();
        int pid = Pid(id);
        int monitor = int.Parse(HostProcess.StatusField(pid, "PPid")![0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("__monitor", File.ReadAllText($"/proc/{monitor}/cmdline"), StringComparison.Ordinal);
        HostProcess.Kill(monitor);
        Wait.Until(() => !HostProcess.IsAlive(monitor), TimeSpan.FromSeconds(10), "the monitor is gone");

        // The container runs on without its monitor: ps says so; rm -f ends it and cleans up.
        Assert.Contains("Up ", host.Ok("ps").StdoutLines[1], StringComparison.Ordinal);
        Assert.True(HostProcess.IsAlive(pid));
        host.Ok("rm", "-f", id);
        host.AssertGone(id);
        Assert.False(HostProcess.IsAlive(pid));
    }

    [RegistryFact]
    public void KilledMonitorAndContainerShowExitedAndRelease()
    {
        string id = host.Ok("run", "-d", registry.Busybox, "sleep", "1000").StdoutLines.Single();
        int pid = Pid(id);
        int monitor = int.Parse(HostProcess.StatusField(pid, "PPid")![0], System.Globalization.CultureInfo.InvariantCulture);
        HostProcess.Kill(monitor);
        HostProcess.Kill(pid);
        Wait.Until(() => !HostProcess.IsAlive(pid), TimeSpan.FromSeconds(10), "the container is gone");

        Assert.Contains("Exited (255)", host.Ok("ps", "-a").StdoutLines[1], StringComparison.Ordinal);
        Assert.Empty(host.Mounts());
        Assert.Empty(CgroupSupport.CgroupDirsNamed(id));
        Assert.False(Directory.Exists(Path.Combine(host.RunRoot, id)));

        // Its address lease was released too (crash recovery), and its veth went with its netns.
        using (var network = System.Text.Json.JsonDocument.Parse(host.Ok("network", "inspect", "bridge").Stdout))
        {
            Assert.Empty(network.RootElement[0].GetProperty("Containers").EnumerateObject());
        }

        Wait.Until(() => !HostCommand.Run("ip", "-o", "link").Stdout.Contains(id[..11], StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the kernel removed the veth with the netns");

        // It can start again, with an address again.
        host.Ok("start", id);
        Assert.Contains("Up ", host.Ok("ps").StdoutLines[1], StringComparison.Ordinal);
        Assert.Matches(host.BridgePrefix.Replace(".", "\\.", StringComparison.Ordinal) + "\\.\\d+\t" + id[..12], host.Ok("exec", id, "cat", "/etc/hosts").Stdout);
        host.Ok("rm", "-f", id);
        host.AssertGone(id);
    }

    private int Pid(string id)
    {
        string inspect = host.Ok("inspect", id).Stdout;
        var m = System.Text.RegularExpressions.Regex.Match(inspect, "\"Pid\": ([0-9]+)");
        Assert.True(m.Success, inspect);
        return int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
