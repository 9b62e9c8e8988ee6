namespace MyRuntime.IntegrationTests.Infrastructure;

/// <summary>
/// Where the binary under test and the test image live.
/// MYRUNTIME_BIN (default &lt;repo&gt;/bin/myruntime) and MYRUNTIME_TEST_IMAGE
/// (default &lt;repo&gt;/test-images/busybox) override the defaults.
/// </summary>
public static class TestSettings
{
    /// <summary>MYRUNTIME_TEST_TIMEOUT_SCALE multiplies every timeout (the emulated cgroup v2 guest is slow).</summary>
    public static int TimeoutScale { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("MYRUNTIME_TEST_TIMEOUT_SCALE"), out int scale) && scale > 0 ? scale : 1;

    private static readonly Lazy<string> s_repoRoot = new(FindRepoRoot);

    public static string RepoRoot => s_repoRoot.Value;

    /// <summary>Absolute path of the runtime binary under test.</summary>
    public static string RuntimeBinary
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("MYRUNTIME_BIN");
            var path = string.IsNullOrWhiteSpace(fromEnv)
                ? Path.Combine(RepoRoot, "bin", "myruntime")
                : fromEnv;
            path = Path.GetFullPath(path);
            if (!File.Exists(path))
            {
                throw new InvalidOperationException(
                    $"runtime binary not found: {path} (build it, or set MYRUNTIME_BIN, e.g. MYRUNTIME_BIN=$(command -v runc))");
            }

            return path;
        }
    }

    /// <summary>
    /// True when the binary under test is runc (used to skip the few tests where runc
    /// legitimately differs from what myruntime must do).
    /// </summary>
    public static bool IsRunc
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("MYRUNTIME_BIN");
            return !string.IsNullOrWhiteSpace(fromEnv)
                && string.Equals(Path.GetFileName(fromEnv.Trim()), "runc", StringComparison.Ordinal);
        }
    }

    /// <summary>Directory holding the test image: rootfs/ and config.json.</summary>
    public static string ImageDir
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("MYRUNTIME_TEST_IMAGE");
            var dir = string.IsNullOrWhiteSpace(fromEnv)
                ? Path.Combine(RepoRoot, "test-images", "busybox")
                : fromEnv;
            dir = Path.GetFullPath(dir);
            if (!File.Exists(Path.Combine(dir, "config.json")) || !Directory.Exists(Path.Combine(dir, "rootfs")))
            {
                throw new InvalidOperationException(
                    $"test image not found at {dir} (expected rootfs/ and config.json; build it with scripts/mkimage-busybox.sh or set MYRUNTIME_TEST_IMAGE)");
            }

            return dir;
        }
    }

    /// <summary>rwxr-xr-x</summary>
    public const UnixFileMode DirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public static string ImageRootfs => Path.Combine(ImageDir, "rootfs");

    public static string ImageConfigPath => Path.Combine(ImageDir, "config.json");

    /// <summary>Base directory for all per-test temporary directories.</summary>
    public static string TempBase
    {
        get
        {
            var dir = Path.Combine(Path.GetTempPath(), "myrt-it");
            Directory.CreateDirectory(dir);
            File.SetUnixFileMode(dir, DirMode);
            return dir;
        }
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "global.json"))
                && Directory.Exists(Path.Combine(dir.FullName, "tests")))
            {
                return dir.FullName;
            }

            dir = dir.Parent;
        }

        // Fall back to the current directory (e.g. when the test assembly was copied elsewhere).
        return Directory.GetCurrentDirectory();
    }
}
