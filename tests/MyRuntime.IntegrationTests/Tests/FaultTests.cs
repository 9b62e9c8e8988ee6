using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;
using MyRuntime.IntegrationTests.Infrastructure.Engine;
using MyRuntime.IntegrationTests.Infrastructure.Registry;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>The engine CLI killed with SIGKILL in the middle of run, create, start, rm and pull (seeded: FAULT_SEED
/// replays a sequence; bench/faults.sh runs 100+): the next commands reconcile, a listed container starts or is
/// removed, a listed image runs, and nothing is left at the end.</summary>
public sealed class FaultTests(EngineRegistry registry) : IClassFixture<EngineRegistry>, IDisposable
{
    private const int Trials = 25;
    private const int MaxDelayMs = 200;
    private static readonly string[] Verbs = ["run", "create", "start", "rm", "pull"];
    private readonly EngineHost host = new();

    public void Dispose() => host.Dispose();

    [RegistryFact]
    public void KilledCli_NextCommandsReconcile_NothingLeaks()
    {
        int seed = Environment.GetEnvironmentVariable("FAULT_SEED") is { Length: > 0 } s
            ? int.Parse(s, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        var random = new Random(seed);
        var findings = new List<string>();
        var seen = new HashSet<string>();
        host.Ok("pull", registry.Busybox);
        for (int trial = 1; trial <= Trials; trial++)
        {
            string verb = Verbs[random.Next(Verbs.Length)];
            int delay = random.Next(MaxDelayMs + 1);
            string[] args = verb switch
            {
                "run" => ["run", "-d", registry.Busybox, "sleep", "1000"],
                "create" => ["create", registry.Busybox, "sleep", "1000"],
                "start" => ["start", Remember(seen, host.Ok("create", registry.Busybox, "sleep", "1000").Stdout.Trim())],
                "rm" => ["rm", "-f", Remember(seen, host.Ok("run", "-d", registry.Busybox, "sleep", "1000").Stdout.Trim())],
                _ => ["pull", registry.Busybox],
            };
            if (verb == "pull")
            {
                host.Run("rmi", registry.Busybox);
            }

            KillAfter(args, delay);
            string where = $"seed {seed} (FAULT_SEED={seed} replays it), trial {trial}: {verb} killed after {delay} ms";
            Reconcile(where, seen, findings);
        }

        host.Ok("network", "rm", "bridge");
        Assert.True(findings.Count == 0, string.Join('\n', findings));
        Assert.Empty(host.Mounts());
        Assert.Empty(host.ContainerDirs());
        Assert.Empty(Directory.Exists(Path.Combine(host.StorageRoot, "snapshots")) ? Directory.GetDirectories(Path.Combine(host.StorageRoot, "snapshots")) : []);
        Assert.Empty(Directory.Exists(Path.Combine(host.StorageRoot, "tmp")) ? Directory.GetFileSystemEntries(Path.Combine(host.StorageRoot, "tmp")) : []);
        Assert.Empty(Directory.Exists(host.RunRoot) ? Directory.GetDirectories(host.RunRoot) : []);
        Assert.All(seen, id => Assert.Empty(ChurnTests.OwnCgroups(id)));
        string links = HostCommand.Run("ip", "-o", "link").Stdout;
        Assert.All(seen, id => Assert.DoesNotContain("veth" + id[..11], links, StringComparison.Ordinal));
        Assert.DoesNotContain(HostCommand.Run("iptables-save").StdoutLines, l => l.Contains(host.BridgePrefix + ".", StringComparison.Ordinal));
        Assert.Empty(ChurnTests.ProcessesNaming(host.Dir));
    }

    /// <summary>The state a `create` killed between its record and its snapshot leaves (found by the trials above):
    /// a record whose maker is gone before completing it is never listed, and the next ps removes it, its snapshot
    /// and its name.</summary>
    [RegistryFact]
    public void CreateKilledBeforeItsRecordWasComplete_IsNotListed_AndIsSwept()
    {
        string id = host.Ok("create", "--name", "half-made", registry.Busybox, "sleep", "1000").Stdout.Trim();
        Assert.True(Directory.Exists(Path.Combine(host.StorageRoot, "snapshots", id)));

        // Back to what the record said before create completed it, with a maker that is gone.
        string path = Path.Combine(host.ContainersDir, id, "container.json");
        var record = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var state = record["State"]!.AsObject();
        using (var gone = Process.Start("/bin/true")!)
        {
            gone.WaitForExit();
            state["CreatorPid"] = gone.Id;
        }

        state["CreatorStartTime"] = 1;
        record["SnapshotId"] = "";
        record["BundleDir"] = "";
        File.WriteAllText(path, record.ToJsonString());

        Assert.Empty(host.Ok("ps", "-aq").StdoutLines);
        Assert.Contains("No such container", host.Run("inspect", id).Stderr, StringComparison.Ordinal);
        Assert.Empty(host.Mounts());
        host.AssertGone(id);
        string again = host.Ok("create", "--name", "half-made", registry.Busybox, "true").Stdout.Trim();
        host.Ok("start", again);
        host.Ok("rm", "-f", again);
    }

    private static string Remember(HashSet<string> seen, string id)
    {
        seen.Add(id);
        return id;
    }

    /// <summary>Runs the CLI with <paramref name="args"/> and kills it with SIGKILL after <paramref name="delayMs"/>
    /// (nothing when it exited first).</summary>
    private void KillAfter(string[] args, int delayMs)
    {
        using var p = Process.Start(host.StartInfo(args))!;
        p.StandardInput.Close();
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(delayMs))
        {
            p.Kill();
        }

        p.WaitForExit();
    }

    private void Reconcile(string where, HashSet<string> seen, List<string> findings)
    {
        var ps = host.Run("ps", "-a", "--no-trunc", "--format", "json");
        if (ps.ExitCode != 0)
        {
            findings.Add($"{where}: ps -a failed: {ps}");
            return;
        }

        foreach (string line in ps.StdoutLines.Where(l => l.Length > 0))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                findings.Add($"{where}: ps -a --format json line does not parse ({e.Message}): {line}");
            }
        }

        foreach (string id in host.Ok("ps", "-aq", "--no-trunc").StdoutLines)
        {
            seen.Add(id);
            var inspect = host.Run("inspect", id);
            string? status = null;
            try
            {
                using var doc = JsonDocument.Parse(inspect.Stdout);
                status = doc.RootElement[0].GetProperty("State").GetProperty("Status").GetString();
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
            {
                findings.Add($"{where}: inspect {id} does not parse: {inspect}");
            }

            if (status is "created" or "exited" && host.Run("start", id) is { ExitCode: not 0 } start)
            {
                findings.Add($"{where}: container {id} listed as {status} does not start: {start.Stderr.Trim()}");
            }

            if (host.Run("rm", "-f", id) is { ExitCode: not 0 } rm)
            {
                findings.Add($"{where}: rm -f {id} failed: {rm.Stderr.Trim()}");
            }
        }

        if (host.Run("ps", "-aq").StdoutLines.Count != 0)
        {
            findings.Add($"{where}: ps -a is not empty after rm -f of everything");
        }

        var images = host.Run("images");
        if (images.ExitCode != 0)
        {
            findings.Add($"{where}: images failed: {images}");
        }
        else if (images.Stdout.Contains("test/busybox", StringComparison.Ordinal))
        {
            if (host.Run("run", "--rm", "--network", "none", registry.Busybox, "true") is { ExitCode: not 0 } run)
            {
                findings.Add($"{where}: a listed image does not run: {run.Stderr.Trim()}");
            }
        }
        else if (host.Run("pull", registry.Busybox) is { ExitCode: not 0 } pull)
        {
            findings.Add($"{where}: pull after an interrupted pull failed: {pull.Stderr.Trim()}");
        }
    }
}
