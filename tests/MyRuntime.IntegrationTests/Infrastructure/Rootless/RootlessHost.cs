namespace MyRuntime.IntegrationTests.Infrastructure.Rootless;

/// <summary>
/// The engine run by the unprivileged user <c>myrt-rootless</c> (made by scripts/rootless-user.sh when missing):
/// a private HOME and XDG_RUNTIME_DIR in a temp dir the user owns, the binary and the busybox image copied where
/// the user can read them, the image imported into the user's store. Dispose removes every container, ends the
/// namespace holder (the pause process) and deletes the dir.
/// </summary>
public sealed class RootlessHost : IDisposable
{
    public const string User = "myrt-rootless";

    public RootlessHost()
    {
        if (Missing is not null)
        {
            return;
        }

        if (HostCommand.Run("id", "-u", User).ExitCode != 0)
        {
            var made = HostCommand.Run("bash", Path.Combine(TestSettings.RepoRoot, "scripts", "rootless-user.sh"));
            if (made.ExitCode != 0)
            {
                throw new InvalidOperationException(made.ToString());
            }
        }

        Uid = uint.Parse(HostCommand.Run("id", "-u", User).Stdout.Trim());
        Dir = Path.Combine("/tmp", "myrt-rl-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Dir);
        File.SetUnixFileMode(Dir, (UnixFileMode)0x1ed);
        Home = Path.Combine(Dir, "home");
        RunDir = Path.Combine(Dir, "run");
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(RunDir);
        File.SetUnixFileMode(RunDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Binary = Path.Combine(Dir, "myruntime");
        File.Copy(TestSettings.RuntimeBinary, Binary);
        File.SetUnixFileMode(Binary, (UnixFileMode)0x1ed);
        string tar = Path.Combine(Dir, "busybox.tar");
        Ok(HostCommand.Run("tar", "-C", TestSettings.ImageRootfs, "-cf", tar, "."));
        File.SetUnixFileMode(tar, (UnixFileMode)0x1a4);
        Ok(HostCommand.Run("chown", "-R", $"{User}:", Home, RunDir));
        try
        {
            Ok(Run("import", tar, "busybox"));
        }
        catch
        {
            Dispose(); // xunit does not dispose a fixture whose constructor threw: end the pause process here
            throw;
        }
    }

    /// <summary>Why these tests cannot run here, or null.</summary>
    public static string? Missing =>
        !File.Exists("/usr/bin/newuidmap") || !File.Exists("/usr/bin/newgidmap") ? "rootless: newuidmap/newgidmap are missing (apt-get install uidmap)"
        : !File.Exists("/usr/sbin/runuser") ? "rootless: runuser is missing (util-linux)"
        : null;

    public uint Uid { get; }

    public string Dir { get; } = "";

    public string Home { get; } = "";

    public string RunDir { get; } = "";

    public string Binary { get; } = "";

    /// <summary>Where the user's engine keeps its store and its run root by default.</summary>
    public string StorageRoot => Path.Combine(Home, ".local", "share", "myruntime");

    public string RunRoot => Path.Combine(RunDir, "myruntime");

    /// <summary>The first subordinate uid (or gid) of the user.</summary>
    public static uint SubStart(string file) =>
        uint.Parse(File.ReadAllLines(file).First(l => l.StartsWith(User + ":", StringComparison.Ordinal)).Split(':')[1]);

    public ProcResult Run(params string[] args) => HostCommand.Run("runuser",
        ["-u", User, "--", "env", "-i", "PATH=/usr/bin:/bin", $"HOME={Home}", $"XDG_RUNTIME_DIR={RunDir}", Binary, .. args]);

    public ProcResult Ok(params string[] args) => Ok(Run(args));

    private static ProcResult Ok(ProcResult r) => r.ExitCode == 0 ? r : throw new InvalidOperationException(r.ToString());

    /// <summary>The pid of the process holding the user and mount namespaces, or 0.</summary>
    public int PausePid()
    {
        string file = Path.Combine(RunRoot, "rootless-pause.pid");
        return File.Exists(file) ? int.Parse(File.ReadAllText(file).Split(' ')[0]) : 0;
    }

    public void Dispose()
    {
        if (Dir.Length == 0)
        {
            return;
        }

        try
        {
            var ids = Run("ps", "-aq").StdoutLines;
            if (ids.Count > 0)
            {
                Run(["rm", "-f", .. ids]);
            }
        }
        finally
        {
            int pause = PausePid();
            if (pause > 0 && HostCommand.Run("cat", $"/proc/{pause}/cmdline").Stdout.Contains("__rootless_pause", StringComparison.Ordinal))
            {
                HostCommand.Run("kill", "-9", pause.ToString());
            }

            HostCommand.Run("rm", "-rf", Dir);
        }
    }
}
