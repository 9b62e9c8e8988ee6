using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>
/// The runtime binary cannot be reached for writing through a container's /proc/PID/exe
/// (CVE-2019-5736), the waiting init cannot be inspected from inside the container, and the
/// container's program starts with default signal dispositions.
/// </summary>
public sealed partial class SecurityTests : IntegrationTest
{
    private const int EROFS = 30;

    /// <summary>
    /// A private copy of the binary under test, run with this test's --root: if a test manages to
    /// write through /proc/PID/exe it damages only the copy, and no other test runs the copy (a binary
    /// being executed by another process would make the open fail with ETXTBSY for that reason alone).
    /// </summary>
    private (RuntimeRunner Runner, string Path) PrivateRuntimeCopy()
    {
        var copy = Path.Combine(Env.TempDir, "runtime-copy");
        File.Copy(Env.Runtime.Binary, copy);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return (new RuntimeRunner(copy, Env.RootDir, Path.Combine(Env.TempDir, "io-copy"), Env.Token), copy);
    }

    private static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private string CreateWith(RuntimeRunner runner, Bundle bundle)
    {
        bundle.Save();
        var id = Env.NewId();
        var r = runner.Run("create", "--bundle", bundle.Dir, id);
        Assert.True(r.ExitCode == 0, "create failed:\n" + r);
        return id;
    }

    [Fact]
    public void CreatedInit_ExeCannotBeOpenedForWriting_BinaryUnchanged()
    {
        var (runner, copy) = PrivateRuntimeCopy();
        var before = Sha256(copy);
        var id = CreateWith(runner, Env.NewBundle().Args("sleep", "1000"));
        var pid = TestEnv.Pid(Env.State(id));

        Exception? error = null;
        try
        {
            using var fs = new FileStream($"/proc/{pid}/exe", FileMode.Open, FileAccess.Write);
            fs.Write(Encoding.ASCII.GetBytes("IT-OVERWRITTEN"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = e;
        }

        // While the init still runs the binary the kernel refuses with ETXTBSY before it looks at
        // the mount; either that or EROFS is fine here (the next test covers the open after start).
        Assert.True(error is not null, $"/proc/{pid}/exe of a created container could be opened for writing");
        Assert.Equal(before, Sha256(copy));
        Assert.Equal("created", Env.Status(id));
    }

    [NotOnRuncFact("runc 1.1's init is dumpable while it waits in the created state (it protects itself with a sealed copy of its binary instead)")]
    public void CreatedInit_CannotBeInspectedFromInsideTheContainer()
    {
        var id = Env.Create(Env.NewBundle().Args("sleep", "1000"));
        const string Inspect = "if readlink /proc/1/exe; then :; else echo exe=denied; fi; if cat /proc/1/environ >/dev/null; then echo environ=read; else echo environ=denied; fi";

        var created = Env.Runtime.Run("exec", id, "sh", "-c", Inspect);

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal(new[] { "exe=denied", "environ=denied" }, created.StdoutLines);

        // Once the user program runs, the same checks succeed (so the denial above came from the init).
        Env.RunOk("start", id);
        var running = Env.Runtime.Run("exec", id, "sh", "-c", Inspect);
        Assert.True(running.ExitCode == 0, running.ToString());
        Assert.Equal(new[] { "/bin/busybox", "environ=read" }, running.StdoutLines);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("exec")]
    public void ContainerProcess_StartsWithNoIgnoredOrBlockedSignals(string command)
    {
        // The runtime is started with SIGPIPE and others ignored; the container's program must not inherit that.
        const string Prelude = "trap '' PIPE HUP INT QUIT TERM USR1 USR2;";
        string[] probe = { "grep", "-E", "^Sig(Ign|Blk):", "/proc/self/status" };
        ProcResult r;
        if (command == "run")
        {
            var bundle = Env.NewBundle().Args(probe).Save();
            r = ShellWrappedRuntime.Run(Env, Prelude, new[] { "run", "--bundle", bundle.Dir, Env.NewId() });
        }
        else
        {
            var (id, _) = Env.CreateAndStart(Env.NewBundle(), "sleep", "1000");
            r = ShellWrappedRuntime.Run(Env, Prelude, new[] { "exec", id }.Concat(probe));
        }

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(
            new[] { "SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000" },
            r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static partial class Native
    {
        public const int O_WRONLY = 0x1;
        public const int O_CLOEXEC = 0x80000;
        public const int O_PATH = 0x200000;

        [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
        public static partial nint Write(int fd, byte[] buf, nuint count);
    }
}
