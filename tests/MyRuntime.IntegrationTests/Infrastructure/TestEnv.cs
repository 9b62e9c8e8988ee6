using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace MyRuntime.IntegrationTests.Infrastructure;

/// <summary>
/// Per-test context: a private temp dir (bundles, I/O files), a private runtime
/// <c>--root</c>, unique container ids, and cleanup on Dispose (<c>delete --force</c>
/// every id used, kill survivors, remove temp dirs) that runs even when the test failed.
/// xunit creates one instance of a test class per test, so a class that creates a
/// TestEnv in its constructor and disposes it in Dispose gets one per test.
/// </summary>
public sealed class TestEnv : IDisposable
{
    private readonly List<string> _ids = new();
    private readonly List<RunningProcess> _background = new();
    private readonly Dictionary<string, (int Pid, long? Start)> _knownPids = new();
    private int _bundleCounter;

    public TestEnv()
    {
        var binary = TestSettings.RuntimeBinary; // throws (clear message) before anything is created
        _ = TestSettings.ImageDir;
        Token = RandomHex(8);
        TempDir = Path.Combine(TestSettings.TempBase, Token);
        // 0755 whatever the umask: a user-namespaced container root (an unprivileged host uid)
        // must be able to traverse to its bundle, rootfs copy and bind-mount sources.
        Directory.CreateDirectory(TempDir);
        File.SetUnixFileMode(TempDir, TestSettings.DirMode);
        RootDir = Path.Combine(TempDir, "state");
        Runtime = new RuntimeRunner(binary, RootDir, Path.Combine(TempDir, "io"), Token);
    }

    public static TimeSpan ShortTimeout { get; } = TimeSpan.FromSeconds(10 * TestSettings.TimeoutScale);

    public string Token { get; }

    /// <summary>Private temp directory of this test (short path: console sockets live here).</summary>
    public string TempDir { get; }

    /// <summary>The runtime's --root for this test.</summary>
    public string RootDir { get; }

    public RuntimeRunner Runtime { get; }

    /// <summary>A fresh unique container id ("it-" + random), deleted with --force at Dispose.</summary>
    public string NewId()
    {
        var id = "it-" + RandomHex(6);
        lock (_ids)
        {
            _ids.Add(id);
        }

        return id;
    }

    /// <summary>A new bundle dir under the test's temp dir, config derived from the image.</summary>
    public Bundle NewBundle(string? name = null)
    {
        var n = Interlocked.Increment(ref _bundleCounter);
        return new Bundle(Path.Combine(TempDir, name ?? $"bundle{n}"));
    }

    /// <summary>A new empty directory under the test's temp dir.</summary>
    public string NewDir(string name)
    {
        var dir = Path.Combine(TempDir, name);
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, TestSettings.DirMode);
        return dir;
    }

    public ProcResult Run(params string[] args) => Runtime.Run(args);

    /// <summary>Runs and asserts exit code 0, returning the result.</summary>
    public ProcResult RunOk(params string[] args)
    {
        var r = Runtime.Run(args);
        Assert.True(r.ExitCode == 0, "expected success:\n" + r);
        return r;
    }

    /// <summary>Starts a runtime command in the background (killed at Dispose if still running).</summary>
    public RunningProcess Start(params string[] args)
    {
        var p = Runtime.Start(args);
        lock (_background)
        {
            _background.Add(p);
        }

        return p;
    }

    /// <summary><c>state ID</c>, asserted to succeed and parsed.</summary>
    public JsonObject State(string id)
    {
        var r = Runtime.Run("state", id);
        Assert.True(r.ExitCode == 0, "state failed:\n" + r);
        JsonObject? obj;
        try
        {
            obj = JsonNode.Parse(r.Stdout)?.AsObject();
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"state output is not JSON ({e.Message}):\n{r}");
        }

        Assert.NotNull(obj);
        if (obj["pid"] is JsonValue pidValue && pidValue.TryGetValue<int>(out var pid) && pid > 0)
        {
            Remember(id, pid);
        }

        return obj;
    }

    public string Status(string id) => State(id)["status"]?.GetValue<string>() ?? "";

    public static int Pid(JsonObject state) => state["pid"]?.GetValue<int>() ?? 0;

    /// <summary>Polls <c>state</c> until the container reaches <paramref name="status"/>.</summary>
    public void WaitForStatus(string id, string status, TimeSpan? timeout = null)
    {
        var last = "";
        if (!Wait.TryUntil(() => (last = Status(id)) == status, timeout ?? ShortTimeout))
        {
            Assert.Fail($"container {id} did not reach status '{status}' (last: '{last}')");
        }
    }

    /// <summary>Creates (not starts) a container from <paramref name="bundle"/>; asserts success.</summary>
    public string Create(Bundle bundle, string? id = null, params string[] extraArgs)
    {
        id ??= NewId();
        bundle.Save();
        var args = new List<string> { "create", "--bundle", bundle.Dir };
        args.AddRange(extraArgs);
        args.Add(id);
        var r = Runtime.Run(args);
        Assert.True(r.ExitCode == 0, "create failed:\n" + r);
        State(id); // remember the pid for cleanup
        return id;
    }

    /// <summary>create + start of a container running <paramref name="args"/>; returns id and pid.</summary>
    public (string Id, int Pid) CreateAndStart(Bundle bundle, params string[] args)
    {
        if (args.Length > 0)
        {
            bundle.Args(args);
        }

        var id = Create(bundle);
        var pid = Pid(State(id));
        RunOk("start", id);
        return (id, pid);
    }

    /// <summary>Root-dir entries (state dirs) the runtime left; "" entries excluded.</summary>
    public IReadOnlyList<string> StateEntries() =>
        Directory.Exists(RootDir)
            ? Directory.EnumerateFileSystemEntries(RootDir).Select(Path.GetFileName).OfType<string>().ToArray()
            : Array.Empty<string>();

    /// <summary>Asserts that no runtime process of this test is still alive.</summary>
    /// <param name="except">pids of containers the test legitimately keeps (a created container's init).</param>
    public void AssertNoLeftoverProcesses(params int[] except)
    {
        IReadOnlyList<int> left = Array.Empty<int>();
        // A runtime that just exited may have children finishing their exit; give them a moment.
        if (!Wait.TryUntil(() => (left = HostProcess.OwnedBy(Token, TempDir).Except(except).ToList()).Count == 0, TimeSpan.FromSeconds(3)))
        {
            Assert.Fail("leftover runtime processes:\n" + string.Join("\n", left.Select(HostProcess.Describe)));
        }
    }

    public void Remember(string id, int pid)
    {
        lock (_knownPids)
        {
            _knownPids[id + "#" + pid] = (pid, HostProcess.StartTime(pid));
        }
    }

    public void Dispose()
    {
        List<RunningProcess> background;
        lock (_background)
        {
            background = _background.ToList();
        }

        string[] ids;
        lock (_ids)
        {
            ids = _ids.ToArray();
        }

        foreach (var id in ids)
        {
            try
            {
                Runtime.Run(new[] { "delete", "--force", id }, timeout: ShortTimeout);
            }
            catch (Exception)
            {
                // best effort: keep cleaning up
            }
        }

        foreach (var p in background)
        {
            p.Dispose();
        }

        // Kill container processes that survived delete --force (same pid and start time only).
        lock (_knownPids)
        {
            foreach (var (pid, start) in _knownPids.Values)
            {
                if (HostProcess.IsAlive(pid) && start is not null && HostProcess.StartTime(pid) == start)
                {
                    HostProcess.Kill(pid);
                }
            }
        }

        foreach (var pid in HostProcess.OwnedBy(Token, TempDir))
        {
            HostProcess.Kill(pid);
        }

        RemoveTempDir();
    }

    private void RemoveTempDir()
    {
        // Never recurse into something still mounted under the temp dir (a leaked bind mount
        // could point at host files): detach such mounts first, and keep the dir if that fails.
        var prefix = TempDir + "/";
        var mounted = MountSnapshot.Take().MountPoints.Where(m => m.StartsWith(prefix, StringComparison.Ordinal) || m == TempDir)
            .OrderByDescending(m => m.Length).ToList();
        foreach (var m in mounted)
        {
            TestInterop.Umount2(m, TestInterop.MNT_DETACH);
        }

        if (MountSnapshot.Take().MountPoints.Any(m => m.StartsWith(prefix, StringComparison.Ordinal) || m == TempDir))
        {
            return;
        }

        try
        {
            Directory.Delete(TempDir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public static string RandomHex(int bytes) => Convert.ToHexString(RandomNumberGenerator.GetBytes(bytes)).ToLowerInvariant();
}
