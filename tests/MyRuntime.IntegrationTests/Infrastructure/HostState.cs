using System.Diagnostics;
using System.Globalization;

namespace MyRuntime.IntegrationTests.Infrastructure;

/// <summary>Snapshot of the host's mount table (/proc/self/mountinfo of the test process).</summary>
public sealed class MountSnapshot
{
    private MountSnapshot(IReadOnlyList<string> lines) => Lines = lines;

    public IReadOnlyList<string> Lines { get; }

    public static MountSnapshot Take() =>
        new(File.ReadAllLines("/proc/self/mountinfo").Where(l => l.Length > 0).ToArray());

    /// <summary>Mount points (field 5 of mountinfo) of all mounts.</summary>
    public IEnumerable<string> MountPoints => Lines.Select(MountPointOf);

    public static string MountPointOf(string mountinfoLine)
    {
        var fields = mountinfoLine.Split(' ');
        return fields.Length > 4 ? Unescape(fields[4]) : "";
    }

    /// <summary>Asserts that no mount was added or removed and no propagation flag changed. Snapshots that image
    /// tests running alongside mount in their own stores (TempBase/images-*, TempBase/engine-*, podman-*, ctd-*: the
    /// engines that run myruntime), and the network
    /// namespaces network tests make (/run/netns, bound there by `ip netns add`), are not this test's doing.</summary>
    public void AssertUnchanged(MountSnapshot later, string when)
    {
        var before = new HashSet<string>(Lines);
        var after = new HashSet<string>(later.Lines);
        var added = later.Lines.Where(l => !before.Contains(l) && !OfImageTests(l)).ToList();
        var removed = Lines.Where(l => !after.Contains(l) && !OfImageTests(l)).ToList();
        if (added.Count > 0 || removed.Count > 0)
        {
            Assert.Fail($"host mount table changed {when}:\n+ {string.Join("\n+ ", added)}\n- {string.Join("\n- ", removed)}");
        }
    }

    private static bool OfImageTests(string line) =>
        MountPointOf(line).StartsWith(Path.Combine(TestSettings.TempBase, "images-"), StringComparison.Ordinal)
        || MountPointOf(line).StartsWith(Path.Combine(TestSettings.TempBase, "engine-"), StringComparison.Ordinal)
        || MountPointOf(line).StartsWith(Path.Combine(TestSettings.TempBase, "podman-"), StringComparison.Ordinal)
        || MountPointOf(line).StartsWith(Path.Combine(TestSettings.TempBase, "ctd-"), StringComparison.Ordinal)
        || MountPointOf(line) == "/run/netns" || MountPointOf(line).StartsWith("/run/netns/mrt", StringComparison.Ordinal);

    private static string Unescape(string s) =>
        s.Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\");
}

/// <summary>Host process inspection through /proc.</summary>
public static class HostProcess
{
    /// <summary>True if a process with this pid exists and is not a zombie/dead.</summary>
    /// <remarks>PID 1 of this VM does not reap orphans, so exited detached containers can linger as zombies.</remarks>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        var state = State(pid);
        return state is not null && state != 'Z' && state != 'X' && state != 'x';
    }

    /// <summary>Process state letter from /proc/PID/stat, or null if there is no such process.</summary>
    public static char? State(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close >= 0 && close + 2 < stat.Length ? stat[close + 2] : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Start time (clock ticks since boot, field 22 of /proc/PID/stat), to detect pid reuse.</summary>
    public static long? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // rest[0] is field 3 (state); field 22 is rest[19].
            return long.Parse(rest[19], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The value of a "Key:" line of /proc/PID/status split on whitespace, or null.</summary>
    public static string[]? StatusField(int pid, string key)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(key + ":", StringComparison.Ordinal))
                {
                    return line[(key.Length + 1)..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>Namespace identity, e.g. "pid:[4026531836]" for /proc/PID/ns/pid.</summary>
    public static string? Namespace(int pid, string ns)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/{ns}").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Live (non-zombie) processes, other than this one, that belong to one test: their initial
    /// environment carries <c>MYRUNTIME_IT_TOKEN=token</c> (runtime processes and their forks),
    /// or their working directory is inside the test's temp dir (e.g. hooks and their children,
    /// which may get a clean environment but inherit the runtime's cwd).
    /// </summary>
    public static IReadOnlyList<int> OwnedBy(string token, string tempDir)
    {
        var needle = RuntimeRunner.TokenVariable + "=" + token;
        var prefix = tempDir.TrimEnd('/') + "/";
        var self = Environment.ProcessId;
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == self)
            {
                continue;
            }

            try
            {
                var env = File.ReadAllText(Path.Combine(dir, "environ"));
                var cwd = Cwd(pid);
                var owned = env.Split('\0').Contains(needle)
                    || (cwd is not null && (cwd + "/").StartsWith(prefix, StringComparison.Ordinal));
                if (owned && IsAlive(pid))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    public static string? Cwd(int pid)
    {
        try
        {
            return new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static string Describe(int pid)
    {
        try
        {
            var cmd = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            return $"{pid} [{State(pid)}] {cmd}";
        }
        catch (IOException)
        {
            return $"{pid} (gone)";
        }
    }

    public static void Kill(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            p.Kill();
        }
        catch (ArgumentException)
        {
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }
}

public static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until true; fails the test on timeout.</summary>
    public static void Until(Func<bool> condition, TimeSpan timeout, string what)
    {
        if (!TryUntil(condition, timeout))
        {
            Assert.Fail($"timed out after {timeout.TotalSeconds:F1}s waiting for: {what}");
        }
    }

    public static bool TryUntil(Func<bool> condition, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (condition())
            {
                return true;
            }

            if (sw.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(20);
        }
    }
}
