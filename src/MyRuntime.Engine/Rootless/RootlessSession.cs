using System.Collections;
using System.Globalization;
using System.Runtime.InteropServices;
using MyRuntime.Linux;
using MyRuntime.Linux.Spawn;

namespace MyRuntime.Engine.Rootless;

/// <summary>
/// The engine run by an unprivileged user (as podman does): this binary runs again in the user namespace and mount
/// namespace held by the user's pause process (made on first use), where the caller's uid and gid are 0 and 1..N
/// map to the caller's subordinate ranges (/etc/subuid, /etc/subgid, written by the setuid
/// <c>newuidmap</c>/<c>newgidmap</c> of the uidmap package). Every command of the user shares them, so mounts
/// outlive the command that made them and any command may signal or enter any container. There the engine works
/// as root of that namespace: the image store unpacks with the layers' own
/// owners (mapped into the subordinate range), overlay mounts are made in the private mount namespace (never in
/// the host's table), and containers are children of it. The store and the run root default to the user's
/// directories (<see cref="RootlessPaths"/>).
/// </summary>
public static class RootlessSession
{
    private const string NewUidMap = "newuidmap";
    private const string NewGidMap = "newgidmap";

    /// <summary>True when the engine must enter a user namespace first: not root, and on the host's namespace.</summary>
    public static bool Needed => Credentials.GetEuid() != 0 && UserNamespaces.InInitial;

    /// <summary>The hidden verb of the process that holds the namespaces.</summary>
    public const string PauseVerb = "__rootless_pause";

    private const string PauseFile = "rootless-pause.pid";

    /// <summary>Runs the command line in the rootless namespaces; returns its exit code.</summary>
    public static int Run(string self, IReadOnlyList<string> args)
    {
        uint uid = Credentials.GetEuid();
        var env = Environment(uid);
        string runRoot = env.First(e => e.StartsWith("MYRUNTIME_RUNROOT=", StringComparison.Ordinal))["MYRUNTIME_RUNROOT=".Length..];
        Directory.CreateDirectory(runRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        int userFd = -1, mountFd = -1, parentSync = -1, childSync = -1;
        int pid;
        try
        {
            using (FileLock.OnFile(Path.Combine(runRoot, "rootless.lock"), exclusive: true))
            {
                int pause = LivePause(runRoot) ?? StartPause(self, runRoot, uid);
                userFd = Files.Open($"/proc/{pause}/ns/user", Files.O_RDONLY);
                mountFd = Files.Open($"/proc/{pause}/ns/mnt", Files.O_RDONLY);
            }

            (parentSync, childSync) = Sockets.Pair();
            int sync = childSync;
            childSync = -1; // Start owns it
            pid = Spawner.Start(new SpawnOptions
            {
                Path = self,
                Args = [self, .. args],
                Env = env,
                Joins = [(userFd, Namespaces.CLONE_NEWUSER), (mountFd, Namespaces.CLONE_NEWNS)],
                SyncFd = sync,
                ParentSyncFd = parentSync,
            });
        }
        finally
        {
            Files.Close(userFd);
            Files.Close(mountFd);
            Files.Close(parentSync);
            Files.Close(childSync);
        }

        return WaitForwarding(pid);
    }

    /// <summary>The hidden verb: holds the user and mount namespaces for every later command of this user (podman's
    /// pause process), in a session of its own, until killed.</summary>
    public static int Pause()
    {
        Sessions.NewSession();
        foreach (int signal in new[] { Signals.SIGTERM, Signals.SIGINT, Signals.SIGHUP })
        {
            _ = PosixSignalRegistration.Create((PosixSignal)signal, c => c.Cancel = true);
        }

        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    /// <summary>The pid of the pause process recorded in the run root, when it still runs (its start time checked).</summary>
    private static int? LivePause(string runRoot)
    {
        string[] f;
        try
        {
            f = File.ReadAllText(Path.Combine(runRoot, PauseFile)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        return f.Length == 2 && int.TryParse(f[0], out int pid) && ulong.TryParse(f[1], out ulong start)
            && ProcFs.IsAlive(pid, start) ? pid : null;
    }

    /// <summary>Starts the pause process in a new user namespace (mapped by the setuid helpers) with a mount
    /// namespace of its own, and records it.</summary>
    private static int StartPause(string self, string runRoot, uint uid)
    {
        uint gid = Credentials.GetEgid();
        string user = Stats.UserNames.Host().GetValueOrDefault(uid) ?? Str(uid); // subuid lines name users
        var uids = SubIdRanges.Of("/etc/subuid", user, uid);
        var gids = SubIdRanges.Of("/etc/subgid", user, uid);
        if (uids.Count == 0 || gids.Count == 0)
        {
            throw new EngineException($"rootless: user {user} has no subordinate {(uids.Count == 0 ? "uid range in /etc/subuid" : "gid range in /etc/subgid")} (add one, e.g. {user}:100000:65536)");
        }

        string uidMap = Find(NewUidMap), gidMap = Find(NewGidMap);
        var (parentSync, childSync) = Sockets.Pair();
        int devNull = Files.Open("/dev/null", Files.O_RDWR);
        try
        {
            int pid = Spawner.Start(new SpawnOptions
            {
                Path = self,
                Args = [self, PauseVerb],
                Env = ["PATH=/usr/bin:/bin"],
                NewNamespaces = Namespaces.CLONE_NEWUSER | Namespaces.CLONE_NEWNS,
                SyncFd = childSync,
                ParentSyncFd = parentSync,
                Stdin = devNull,
                Stdout = devNull,
                Stderr = devNull,
                BeforeGo = p =>
                {
                    Map(uidMap, p, uid, uids);
                    Map(gidMap, p, gid, gids);
                },
            });

            // Until its execve the child is not dumpable (it became root in the new namespace), so its
            // /proc/PID/ns files are closed to us: wait for the sync socket to close on exec (or to carry an error).
            var (type, payload) = SyncFrames.Read(parentSync);
            Spawner.ThrowIfChildError(type, payload);
            ulong start = ProcFs.Stat(pid)?.StartTime ?? 0;
            File.WriteAllText(Path.Combine(runRoot, PauseFile), $"{pid} {start}");
            return pid;
        }
        finally
        {
            Files.Close(parentSync);
            Files.Close(devNull);
        }
    }

    /// <summary>Writes one map through the setuid helper: 0 is the caller's own id, 1.. its subordinate ranges.</summary>
    private static void Map(string helper, int pid, uint own, List<(uint Start, uint Count)> ranges)
    {
        var args = new List<string> { pid.ToString(CultureInfo.InvariantCulture), "0", Str(own), "1" };
        uint inside = 1;
        foreach (var (start, count) in ranges)
        {
            args.AddRange([Str(inside), Str(start), Str(count)]);
            inside += count;
        }

        var (code, _, err) = ProgramRunner.Run(helper, args);
        if (code != 0)
        {
            string why = err.Trim().Split('\n')[^1];
            throw new EngineException($"rootless: {Path.GetFileName(helper)} failed ({(why.Length > 0 ? why : $"exit {code}")})");
        }
    }

    /// <summary>Waits for the namespaced engine, passing on the signals a terminal does not already send to it (its
    /// process group is ours: SIGINT and SIGQUIT reach it directly).</summary>
    private static int WaitForwarding(int pid)
    {
        var registrations = new List<PosixSignalRegistration>();
        try
        {
            // Raw numbers (not PosixSignal's names, whose values are not the kernel's) so that they can be sent on.
            foreach (int signal in new[] { Signals.SIGTERM, Signals.SIGHUP, Signals.SIGUSR1, Signals.SIGUSR2 })
            {
                registrations.Add(PosixSignalRegistration.Create((PosixSignal)signal, c =>
                {
                    c.Cancel = true;
                    Processes.Kill(pid, signal);
                }));
            }

            foreach (int signal in new[] { Signals.SIGINT, Signals.SIGQUIT })
            {
                registrations.Add(PosixSignalRegistration.Create((PosixSignal)signal, c => c.Cancel = true));
            }

            return Processes.WaitForExit(pid);
        }
        finally
        {
            registrations.ForEach(r => r.Dispose());
        }
    }

    /// <summary>Our environment, with the store and run root defaulting to the user's directories.</summary>
    private static List<string> Environment(uint uid)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in System.Environment.GetEnvironmentVariables())
        {
            env[(string)e.Key] = (string?)e.Value ?? string.Empty;
        }

        if (!env.TryGetValue("MYRUNTIME_STORAGE_ROOT", out string? store) || store.Length == 0)
        {
            env["MYRUNTIME_STORAGE_ROOT"] = RootlessPaths.StorageRoot(uid);
        }

        if (!env.TryGetValue("MYRUNTIME_RUNROOT", out string? run) || run.Length == 0)
        {
            env["MYRUNTIME_RUNROOT"] = RootlessPaths.RunRoot(uid);
        }

        return [.. env.Select(kv => $"{kv.Key}={kv.Value}")];
    }

    private static string Find(string program)
    {
        foreach (string dir in new[] { "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin" })
        {
            string path = Path.Combine(dir, program);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new EngineException($"rootless: {program} not found: install the uidmap package (it maps /etc/subuid and /etc/subgid into the user namespace)");
    }

    private static string Str(uint n) => n.ToString(CultureInfo.InvariantCulture);
}
