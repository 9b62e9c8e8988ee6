using System.Diagnostics;

namespace MyRuntime.IntegrationTests.Infrastructure.Engine;

/// <summary>The engine's Docker-like CLI with a private --storage-root and --runroot in a temp directory. Dispose
/// removes every container left (rm -f), then checks and removes the directory.</summary>
public sealed class EngineHost : IDisposable
{
    private static int hosts;

    public EngineHost()
    {
        Dir = Path.Combine(TestSettings.TempBase, "engine-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Dir);
        int n = Interlocked.Increment(ref hosts);
        Number = n;
        Bridge = $"mrt{Environment.ProcessId % 0x10000:x4}{n:x3}";
        BridgeSubnet = $"10.{200 + n / 256 % 40}.{n % 256}.0/24";
    }

    /// <summary>This host's default bridge and its subnet (MYRUNTIME_BRIDGE, MYRUNTIME_BRIDGE_SUBNET): each test
    /// host has its own, as two dockerd's on one machine need their own --bridge.</summary>
    public string Bridge { get; }

    public string BridgeSubnet { get; }

    /// <summary>A number unique to this host in the test run, for names and subnets of its own.</summary>
    public int Number { get; }

    /// <summary>The first three octets of the default bridge's subnet (e.g. "10.200.7").</summary>
    public string BridgePrefix => BridgeSubnet[..BridgeSubnet.LastIndexOf('.')];

    /// <summary>A /24 for a user-defined network of this host, distinct per (host, index).</summary>
    public string UserSubnet(int index) => $"10.{240 + index % 10}.{Number % 256}.0/24";

    public string Dir { get; }

    public string StorageRoot => Path.Combine(Dir, "store");

    public string RunRoot => Path.Combine(Dir, "run");

    public string ContainersDir => Path.Combine(StorageRoot, "containers");

    public ProcResult Run(params string[] args) => RunWithInput(null, args);

    public ProcResult RunWithInput(string? stdin, params string[] args)
    {
        using var p = Process.Start(StartInfo(args)) ?? throw new InvalidOperationException("cannot start myruntime");
        var sw = Stopwatch.StartNew();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
        }

        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000 * TestSettings.TimeoutScale))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"myruntime {string.Join(' ', args)} did not exit within 120s");
        }

        p.WaitForExit();
        return new ProcResult("myruntime " + string.Join(' ', args), p.ExitCode, stdout.Result, stderr.Result, sw.Elapsed);
    }

    /// <summary>Runs and asserts exit 0.</summary>
    public ProcResult Ok(params string[] args)
    {
        var r = Run(args);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    public ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(TestSettings.RuntimeBinary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string a in GlobalArgs.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOCKER_CONFIG"] = Path.Combine(Dir, "docker-config");
        psi.Environment["MYRUNTIME_AUTH_FILE"] = Path.Combine(Dir, "auth.json");
        psi.Environment["MYRUNTIME_BRIDGE"] = Bridge;
        psi.Environment["MYRUNTIME_BRIDGE_SUBNET"] = BridgeSubnet;
        return psi;
    }

    public IEnumerable<string> GlobalArgs => ["--storage-root", StorageRoot, "--runroot", RunRoot];

    /// <summary>Container directories left in the store.</summary>
    public string[] ContainerDirs() => Directory.Exists(ContainersDir) ? Directory.GetDirectories(ContainersDir) : [];

    /// <summary>Mount points under this host's directory.</summary>
    public List<string> Mounts() => File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4])
        .Where(m => m.StartsWith(Dir + "/", StringComparison.Ordinal)).ToList();

    /// <summary>Asserts that nothing of container <paramref name="id"/> is left: record, snapshot, runtime state, mount, cgroup.</summary>
    public void AssertGone(string id)
    {
        Assert.False(Directory.Exists(Path.Combine(ContainersDir, id)), $"container dir of {id} left");
        Assert.False(Directory.Exists(Path.Combine(StorageRoot, "snapshots", id)), $"snapshot of {id} left");
        Assert.False(Directory.Exists(Path.Combine(RunRoot, id)), $"runtime state of {id} left");
        Assert.DoesNotContain(Mounts(), m => m.Contains(id, StringComparison.Ordinal));
        Assert.Empty(CgroupSupport.CgroupDirsNamed(id));
    }

    public void Dispose()
    {
        try
        {
            var ids = Run("ps", "-aq", "--no-trunc").StdoutLines;
            foreach (string id in ids)
            {
                Run("rm", "-f", id);
            }

            foreach (string network in Run("network", "ls", "-q", "--no-trunc").StdoutLines)
            {
                Run("network", "rm", network);
            }
        }
        finally
        {
            foreach (string mount in Mounts().OrderByDescending(m => m.Length))
            {
                HostCommand.Run("umount", "-l", mount);
            }

            try
            {
                Directory.Delete(Dir, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }
}
