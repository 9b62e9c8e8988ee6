using System.Diagnostics;

namespace MyRuntime.IntegrationTests.Infrastructure.Podman;

/// <summary>Debian's podman with myruntime as its OCI runtime, configured for this machine in files of its own
/// (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF, CONTAINERS_REGISTRIES_CONF; nothing in /etc): cgroupfs manager, file
/// events logger, default ulimits below the hard limits (no CAP_SYS_RESOURCE here), no network (podman's CNI bridge
/// would leave links and rules), storage and tmpdir in a temp directory, and the test busybox imported as
/// localhost/myrt-busybox. Containers get a cgroup parent of their own and conmon no cgroup, so nothing is left
/// in the host's hierarchies. Dispose removes every container and the storage.</summary>
public sealed class PodmanHost : IDisposable
{
    public const string Image = "localhost/myrt-busybox:latest";

    private static readonly string? PodmanPath = new[] { "/usr/bin/podman", "/usr/local/bin/podman" }.FirstOrDefault(File.Exists);

    public PodmanHost()
    {
        Dir = Path.Combine(TestSettings.TempBase, "podman-" + Guid.NewGuid().ToString("N")[..12]);
        CgroupParent = $"/myrt-podman-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
        if (PodmanPath is null)
        {
            return;
        }

        Directory.CreateDirectory(Dir);
        File.WriteAllText(Path.Combine(Dir, "containers.conf"), $$"""
            [containers]
            netns = "none"
            default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

            [engine]
            cgroup_manager = "cgroupfs"
            events_logger = "file"
            events_logfile_path = "{{Dir}}/events.log"
            tmp_dir = "{{Dir}}/tmp"
            runtime = "myruntime"
            runtime_supports_json = ["myruntime"]

            [engine.runtimes]
            myruntime = ["{{TestSettings.RuntimeBinary}}"]
            """);
        File.WriteAllText(Path.Combine(Dir, "storage.conf"), $$"""
            [storage]
            driver = "overlay"
            graphroot = "{{Dir}}/storage"
            runroot = "{{Dir}}/run"
            """);
        File.WriteAllText(Path.Combine(Dir, "registries.conf"), "unqualified-search-registries = []\n");
        string tar = Path.Combine(Dir, "rootfs.tar");
        var t = HostCommand.Run("tar", "-C", TestSettings.ImageRootfs, "-cf", tar, ".");
        if (t.ExitCode != 0)
        {
            throw new InvalidOperationException("tar of the test image failed:\n" + t);
        }

        Ok("import", tar, Image);
        File.Delete(tar);
    }

    /// <summary>Why the podman tests cannot run here, or null.</summary>
    public static string? Missing => PodmanPath is null ? "podman is not installed (apt-get install podman)" : null;

    public string Dir { get; }

    /// <summary>The cgroup parent given to every container (a path of this host's own).</summary>
    public string CgroupParent { get; }

    /// <summary>podman with this host's configuration and the flags every container needs here.</summary>
    public ProcResult Run(params string[] args) => RunWithTimeout(120, args);

    public ProcResult Ok(params string[] args)
    {
        var r = Run(args);
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException("podman failed:\n" + r);
        }

        return r;
    }

    /// <summary>The flags of run/create: the cgroup parent of this host and no cgroup for conmon.</summary>
    public string[] ContainerFlags => ["--cgroup-parent", CgroupParent, "--cgroups", "no-conmon"];

    public ProcessStartInfo StartInfo(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["CONTAINERS_CONF"] = Path.Combine(Dir, "containers.conf");
        psi.Environment["CONTAINERS_STORAGE_CONF"] = Path.Combine(Dir, "storage.conf");
        psi.Environment["CONTAINERS_REGISTRIES_CONF"] = Path.Combine(Dir, "registries.conf");
        psi.Environment.Remove("REGISTRY_AUTH_FILE");
        return psi;
    }

    public ProcResult RunWithTimeout(int seconds, params string[] args) => Exec(PodmanPath!, args, seconds);

    /// <summary>A command line run under a terminal (script(1)), for -it.</summary>
    public ProcResult RunInTerminal(string commandLine, string stdin) =>
        Exec("/usr/bin/script", ["-q", "-e", "-c", commandLine, "/dev/null"], 60, stdin);

    public ProcResult Exec(string file, IEnumerable<string> args, int seconds, string? stdin = null)
    {
        var psi = StartInfo(file, args);
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Flush();
        }

        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is null)
        {
            p.StandardInput.Close();
        }

        if (!p.WaitForExit(seconds * 1000 * TestSettings.TimeoutScale))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', psi.ArgumentList)} did not exit within {seconds}s");
        }

        p.WaitForExit();
        if (stdin is not null)
        {
            p.StandardInput.Close();
        }

        Task.WaitAll(new Task[] { stdout, stderr }, 5_000);
        return new ProcResult(file + " " + string.Join(' ', psi.ArgumentList), p.ExitCode,
            stdout.IsCompleted ? stdout.Result : "", stderr.IsCompleted ? stderr.Result : "", sw.Elapsed);
    }

    /// <summary>The cgroup directories of this host's containers left in any hierarchy.</summary>
    public List<string> LeftCgroups() =>
        Directory.EnumerateDirectories("/sys/fs/cgroup").SelectMany(h => new[] { h + CgroupParent, "/sys/fs/cgroup" + CgroupParent })
            .Where(Directory.Exists).Distinct().ToList();

    public void Dispose()
    {
        if (PodmanPath is not null && Directory.Exists(Dir))
        {
            try
            {
                Run("rm", "-a", "-f", "-t", "0");
                Run("rmi", "-a", "-f");
            }
            finally
            {
                foreach (string mount in File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4])
                    .Where(m => m.StartsWith(Dir, StringComparison.Ordinal)).Reverse())
                {
                    HostCommand.Run("umount", "-l", mount);
                }

                foreach (string cg in LeftCgroups())
                {
                    foreach (var sub in Directory.EnumerateDirectories(cg, "*", SearchOption.AllDirectories).Reverse())
                    {
                        try
                        {
                            Directory.Delete(sub);
                        }
                        catch (IOException)
                        {
                        }
                    }

                    try
                    {
                        Directory.Delete(cg);
                    }
                    catch (IOException)
                    {
                    }
                }

                Directory.Delete(Dir, recursive: true);
            }
        }
    }
}
