using System.Diagnostics;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using MyRuntime.IntegrationTests.Infrastructure.Registry;

namespace MyRuntime.IntegrationTests.Infrastructure.Containerd;

/// <summary>A private containerd (Debian's 1.6) for one test class: its own config, root, state and socket in a
/// temp directory, a namespace of its own, and the busybox test rootfs imported as an OCI archive. Dispose deletes
/// every task and container of the namespace, kills the shims it started and the daemon (by pid), and removes what
/// they left: the shim's runtime root, the namespace's cgroup directories and the temp directory.</summary>
public sealed class ContainerdDaemon : IDisposable
{
    public const string ImageRef = "docker.io/library/myrt-busybox:test";
    public const string SkipReason = "containerd and ctr are not installed (apt-get install containerd)";

    private readonly Process daemon;
    private readonly StringBuilder log = new();
    private readonly HashSet<string> ids = [];

    public ContainerdDaemon()
    {
        string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        Namespace = "myrt-test-" + token;
        Dir = Path.Combine(TestSettings.TempBase, "ctd-" + token);
        Directory.CreateDirectory(Dir);
        Socket = Path.Combine(Dir, "c.sock");
        string config = Path.Combine(Dir, "config.toml");
        File.WriteAllText(config, ConfigText());
        var psi = new ProcessStartInfo("containerd")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(config);
        daemon = Process.Start(psi) ?? throw new InvalidOperationException("cannot start containerd");
        daemon.OutputDataReceived += (_, e) => Append(e.Data);
        daemon.ErrorDataReceived += (_, e) => Append(e.Data);
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        try
        {
            if (!Wait.TryUntil(() => daemon.HasExited || (File.Exists(Socket) && Ctr("version").ExitCode == 0), TimeSpan.FromSeconds(20 * TestSettings.TimeoutScale)))
            {
                throw new InvalidOperationException("containerd did not answer on " + Socket + ":\n" + Log);
            }

            if (daemon.HasExited)
            {
                throw new InvalidOperationException($"containerd exited with {daemon.ExitCode}:\n{Log}");
            }

            ImportImage();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public static bool Available => File.Exists("/usr/bin/containerd") && File.Exists("/usr/bin/ctr") && File.Exists("/usr/bin/containerd-shim-runc-v2");

    /// <summary>The containerd namespace of this daemon's tasks (ctr -n).</summary>
    public string Namespace { get; }

    public string Dir { get; }

    public string Socket { get; }

    /// <summary>The bundles (state/io.containerd.runtime.v2.task/NS/ID): the container's rootfs is mounted there.</summary>
    public string TaskDir(string id) => Path.Combine(Dir, "state", "io.containerd.runtime.v2.task", Namespace, id);

    /// <summary>The --root the runc shim passes to the runtime: its default root and the namespace.</summary>
    public string RuntimeRoot => Path.Combine("/run/containerd/runc", Namespace);

    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>ctr against this daemon, in this namespace.</summary>
    public ProcResult Ctr(params string[] args) => HostCommand.Run("ctr", ["-a", Socket, "-n", Namespace, .. args]);

    /// <summary>Runs ctr and asserts exit 0.</summary>
    public ProcResult CtrOk(params string[] args)
    {
        var r = Ctr(args);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    /// <summary>The status column of `ctr task ls` for this task, or null when it is not listed.</summary>
    public string? TaskStatus(string id)
    {
        foreach (string line in CtrOk("task", "ls").StdoutLines.Skip(1))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 3 && f[0] == id)
            {
                return f[2];
            }
        }

        return null;
    }

    /// <summary>Live shim processes of this namespace (zombies left to an init that does not reap have no
    /// command line and do not count).</summary>
    public IReadOnlyList<int> ShimPids(string? id = null)
    {
        var found = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            try
            {
                string[] argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                int ns = Array.IndexOf(argv, "-namespace");
                int idAt = Array.IndexOf(argv, "-id");
                if (argv[0].EndsWith("containerd-shim-runc-v2", StringComparison.Ordinal) && ns > 0 && ns + 1 < argv.Length
                    && argv[ns + 1] == Namespace && (id is null || (idAt > 0 && idAt + 1 < argv.Length && argv[idAt + 1] == id)))
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

    /// <summary>What a container leaves behind once its task and container are deleted: its shim, its runtime
    /// state directory, its cgroups, mounts under its bundle. Empty when all is gone.</summary>
    public IReadOnlyList<string> Leftovers(string id)
    {
        var left = new List<string>();
        left.AddRange(ShimPids(id).Select(p => "shim process " + HostProcess.Describe(p)));
        if (File.Exists(ShimSocket(id)))
        {
            left.Add("shim socket " + ShimSocket(id));
        }

        if (Directory.Exists(Path.Combine(RuntimeRoot, id)))
        {
            left.Add("runtime state " + Path.Combine(RuntimeRoot, id));
        }

        left.AddRange(CgroupDirs().Select(d => Path.Combine(d, id)).Where(Directory.Exists).Select(d => "cgroup " + d));
        string bundle = TaskDir(id);
        left.AddRange(MountSnapshot.Take().MountPoints.Where(m => m == bundle || m.StartsWith(bundle + "/", StringComparison.Ordinal)).Select(m => "mount " + m));
        if (Directory.Exists(bundle))
        {
            left.Add("bundle " + bundle);
        }

        return left;
    }

    public void AssertNoLeftovers(string id)
    {
        IReadOnlyList<string> left = [];
        if (!Wait.TryUntil(() => (left = Leftovers(id)).Count == 0, TimeSpan.FromSeconds(5 * TestSettings.TimeoutScale)))
        {
            Assert.Fail($"container {id} left behind:\n{string.Join("\n", left)}");
        }
    }

    /// <summary>Kills and deletes the task (if any) and the container, best effort.</summary>
    public void Remove(string id)
    {
        lock (ids)
        {
            ids.Add(id);
        }

        if (TryTaskStatus(id) is { } status)
        {
            if (status != "STOPPED")
            {
                if (status == "PAUSED")
                {
                    Ctr("task", "resume", id);
                }

                Ctr("task", "kill", "-s", "SIGKILL", id);
                Wait.TryUntil(() => TryTaskStatus(id) is null or "STOPPED", TimeSpan.FromSeconds(10 * TestSettings.TimeoutScale));
            }

            Ctr("task", "delete", "--force", id);
        }

        Ctr("container", "delete", id);
    }

    public void Dispose()
    {
        try
        {
            if (!daemon.HasExited)
            {
                var tasks = Ctr("task", "ls", "-q");
                var containers = Ctr("container", "ls", "-q");
                foreach (string id in tasks.StdoutLines.Concat(containers.StdoutLines).Distinct())
                {
                    Remove(id);
                }

                Ctr("image", "rm", ImageRef);
            }
        }
        finally
        {
            foreach (int pid in ShimPids())
            {
                HostProcess.Kill(pid);
            }

            if (!daemon.HasExited)
            {
                daemon.Kill();
                daemon.WaitForExit(10_000);
            }

            daemon.Dispose();
            KillContainerProcesses();
            RemoveShimSockets();
            DeleteOwnDirectories();
        }
    }

    /// <summary>Processes still in the namespace's cgroups: containers whose shim hung or was killed (a runtime
    /// that never returned from create leaves its init waiting for start).</summary>
    private void KillContainerProcesses()
    {
        var dirs = CgroupDirs().Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateDirectories(d, "*", SearchOption.AllDirectories).Prepend(d)).ToList();
        foreach (string freezer in dirs.Select(d => Path.Combine(d, "freezer.state")).Where(File.Exists))
        {
            TryWrite(freezer, "THAWED");
        }

        foreach (string dir in dirs)
        {
            TryWrite(Path.Combine(dir, "cgroup.freeze"), "0");
            string procs = Path.Combine(dir, "cgroup.procs");
            if (File.Exists(procs))
            {
                foreach (string pid in File.ReadAllLines(procs))
                {
                    HostProcess.Kill(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        Wait.TryUntil(() => dirs.All(d => !File.Exists(Path.Combine(d, "cgroup.procs")) || File.ReadAllText(Path.Combine(d, "cgroup.procs")).Length == 0), TimeSpan.FromSeconds(5));
    }

    /// <summary>The shim's socket: /run/containerd/s/sha256(ADDRESS/NS/ID).</summary>
    public string ShimSocket(string id) =>
        Path.Combine("/run/containerd/s", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Socket}/{Namespace}/{id}"))));

    /// <summary>A shim that was killed leaves its socket.</summary>
    private void RemoveShimSockets()
    {
        lock (ids)
        {
            foreach (string id in ids)
            {
                File.Delete(ShimSocket(id));
            }
        }
    }

    private void DeleteOwnDirectories()
    {
        string prefix = Dir + "/";
        foreach (string mount in MountSnapshot.Take().MountPoints.Where(m => m.StartsWith(prefix, StringComparison.Ordinal)).Reverse())
        {
            HostCommand.Run("umount", "-l", mount);
        }

        foreach (string dir in CgroupDirs().Where(Directory.Exists))
        {
            try
            {
                foreach (string child in Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).Reverse())
                {
                    Directory.Delete(child);
                }

                Directory.Delete(dir); // empty once every container of the namespace is gone
            }
            catch (IOException)
            {
            }
        }

        // What a killed shim or runtime was still removing can be busy for a moment.
        Exception? last = null;
        bool gone = Wait.TryUntil(
            () =>
            {
                try
                {
                    if (Directory.Exists(RuntimeRoot))
                    {
                        Directory.Delete(RuntimeRoot, recursive: true);
                    }

                    if (Directory.Exists(Dir))
                    {
                        Directory.Delete(Dir, recursive: true);
                    }

                    return true;
                }
                catch (IOException e)
                {
                    last = e;
                    return false;
                }
            },
            TimeSpan.FromSeconds(5));
        if (!gone)
        {
            throw new IOException($"cannot remove {RuntimeRoot} or {Dir}: {last?.Message}", last);
        }
    }

    /// <summary>The namespace's cgroup directories: containerd's default cgroups path is /NS/ID.</summary>
    private IEnumerable<string> CgroupDirs() =>
        File.Exists("/sys/fs/cgroup/cgroup.controllers") && !Directory.Exists("/sys/fs/cgroup/memory")
            ? [Path.Combine("/sys/fs/cgroup", Namespace)]
            : Directory.EnumerateDirectories("/sys/fs/cgroup").Select(c => Path.Combine(c, Namespace)).ToArray();

    private string? TryTaskStatus(string id)
    {
        var r = Ctr("task", "ls");
        return r.ExitCode != 0 ? null : r.StdoutLines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 3 && f[0] == id).Select(f => f[2]).FirstOrDefault();
    }

    /// <summary>The busybox test rootfs as a one-layer OCI archive, imported with ctr.</summary>
    private void ImportImage()
    {
        string layout = Path.Combine(Dir, "image");
        var writer = new OciLayoutWriter(layout);
        var layer = writer.AddLayer(OciLayoutWriter.TarOfDirectory(TestSettings.ImageRootfs));
        writer.TagManifest("test", writer.AddImage([layer]));
        string archive = Path.Combine(Dir, "image.tar");
        TarFile.CreateFromDirectory(layout, archive, includeBaseDirectory: false);
        CtrOk("image", "import", "--base-name", "docker.io/library/myrt-busybox", archive);
        Assert.Contains(ImageRef, CtrOk("image", "ls", "-q").Stdout, StringComparison.Ordinal);
    }

    private string ConfigText() => $"""
        version = 2
        root = "{Dir}/root"
        state = "{Dir}/state"
        disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

        [grpc]
          address = "{Socket}"

        [ttrpc]
          address = "{Socket}.ttrpc"

        [debug]
          address = "{Dir}/debug.sock"
        """;

    private static void TryWrite(string file, string value)
    {
        try
        {
            if (File.Exists(file))
            {
                File.WriteAllText(file, value);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.AppendLine(line);
        }
    }
}
