using System.Diagnostics;
using System.Text.Json;
using MyRuntime.IntegrationTests.Infrastructure;
using MyRuntime.IntegrationTests.Infrastructure.Engine;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>Containers started by concurrent CLI invocations (all processes launched at once, not a bounded pool;
/// bench/load.sh runs 100) come up with distinct ids, names and addresses, their records all parse, and removing
/// them all at once leaves nothing.</summary>
public sealed class LoadTests : IDisposable
{
    private const int Count = 30;
    private readonly EngineHost host = new();

    public void Dispose() => host.Dispose();

    [Fact]
    public void ThirtyConcurrentRuns_DistinctIdsNamesAddresses_ThenConcurrentRm()
    {
        string tar = Path.Combine(host.Dir, "rootfs.tar");
        Assert.Equal(0, HostCommand.Run("tar", "-C", TestSettings.ImageRootfs, "--numeric-owner", "-cf", tar, ".").ExitCode);
        host.Ok("import", tar, "load:latest");
        // The bridge exists before the burst, as on a host that ran a container before.
        host.Ok("run", "--rm", "load:latest", "true");

        var runs = Concurrently(Enumerable.Range(0, Count).Select(i => new[] { "run", "-d", "--name", $"load{i}", "load:latest", "sleep", "1000" }));
        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.ToString()));
        var ids = runs.Select(r => r.Stdout.Trim()).ToList();
        Assert.Equal(Count, ids.Distinct().Count());

        var ps = host.Ok("ps", "-a", "--no-trunc", "--format", "json").StdoutLines;
        Assert.Equal(Count, ps.Count);
        var names = new List<string>();
        var addresses = new List<string>();
        foreach (string id in ids)
        {
            // Every record parses and says what was asked.
            using var inspect = JsonDocument.Parse(host.Ok("inspect", id).Stdout);
            var c = inspect.RootElement[0];
            Assert.Equal("running", c.GetProperty("State").GetProperty("Status").GetString());
            names.Add(c.GetProperty("Name").GetString()!);
            addresses.Add(c.GetProperty("NetworkSettings").GetProperty("IPAddress").GetString()!);
        }

        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"/load{i}").Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        Assert.Equal(Count, addresses.Distinct().Count());
        Assert.All(addresses, a => Assert.StartsWith(host.BridgePrefix + ".", a, StringComparison.Ordinal));
        Assert.Equal(Count, HostCommand.Run("ip", "-o", "link", "show", "master", host.Bridge).StdoutLines.Count(l => l.Length > 0));

        var rms = Concurrently(ids.Select(id => new[] { "rm", "-f", id }));
        Assert.All(rms, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Empty(host.Ok("ps", "-aq").StdoutLines);
        using (var network = JsonDocument.Parse(host.Ok("network", "inspect", "bridge").Stdout))
        {
            Assert.Empty(network.RootElement[0].GetProperty("Containers").EnumerateObject());
        }

        host.Ok("network", "rm", "bridge");
        Assert.Empty(host.Mounts());
        Assert.Empty(host.ContainerDirs());
        Assert.All(ids, id => Assert.Empty(ChurnTests.OwnCgroups(id)));
        Assert.NotEqual(0, HostCommand.Run("ip", "-o", "link", "show", host.Bridge).ExitCode);
        Assert.DoesNotContain(HostCommand.Run("iptables-save").StdoutLines, l => l.Contains(host.BridgePrefix + ".", StringComparison.Ordinal));
        Assert.Empty(ChurnTests.ProcessesNaming(host.Dir));
    }

    /// <summary>Starts every command at once, then waits for all of them.</summary>
    private List<ProcResult> Concurrently(IEnumerable<string[]> commands)
    {
        var started = new List<(string[] Args, Process P, Task<string> Out, Task<string> Err)>();
        try
        {
            foreach (string[] args in commands)
            {
                var p = Process.Start(host.StartInfo(args))!;
                p.StandardInput.Close();
                started.Add((args, p, p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync()));
            }

            var results = new List<ProcResult>();
            foreach (var (args, p, stdout, stderr) in started)
            {
                if (!p.WaitForExit(120_000 * TestSettings.TimeoutScale))
                {
                    p.Kill();
                }

                p.WaitForExit();
                results.Add(new ProcResult("myruntime " + string.Join(' ', args), p.ExitCode, stdout.Result, stderr.Result, TimeSpan.Zero));
            }

            return results;
        }
        finally
        {
            foreach (var s in started)
            {
                s.P.Dispose();
            }
        }
    }
}
