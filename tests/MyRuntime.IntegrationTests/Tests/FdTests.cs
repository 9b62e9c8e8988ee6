using System.Globalization;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>
/// Descriptors: nothing of the host (or of the runtime) leaks into the container; --preserve-fds
/// and socket activation (LISTEN_FDS) pass exactly the descriptors asked for.
/// </summary>
public sealed class FdTests : IntegrationTest
{
    private const string Fd3Content = "it-fd3-content";
    private const string Fd4Content = "it-fd4-content";

    /// <summary>
    /// Lists the program's descriptors ("ls" itself adds one for the directory it reads), the
    /// socket-activation variables, and what can be read from fd 3 and fd 4.
    /// </summary>
    private const string Probe =
        "echo \"fds=$(ls /proc/self/fd | tr '\\n' ' ')\"; echo \"LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID\";"
        + " if { true <&3; } 2>/dev/null; then echo \"fd3=$(cat <&3)\"; else echo fd3=closed; fi;"
        + " if { true <&4; } 2>/dev/null; then echo \"fd4=$(cat <&4)\"; else echo fd4=closed; fi";

    private readonly string _file3;
    private readonly string _file4;

    public FdTests()
    {
        _file3 = Path.Combine(Env.TempDir, "fd3.txt");
        _file4 = Path.Combine(Env.TempDir, "fd4.txt");
        File.WriteAllText(_file3, Fd3Content + "\n");
        File.WriteAllText(_file4, Fd4Content + "\n");
    }

    /// <summary>bash prelude opening fd 3 and fd 4 (not close-on-exec) before exec'ing the runtime.</summary>
    private string OpenFds => $"exec 3<'{_file3}' 4<'{_file4}';";

    private ProcResult RunProbe(string prelude, params string[] runArgs)
    {
        var bundle = Env.NewBundle().Shell(Probe).Save();
        var args = new List<string> { "run" };
        args.AddRange(runArgs);
        args.AddRange(new[] { "--bundle", bundle.Dir, Env.NewId() });
        var r = ShellWrappedRuntime.Run(Env, prelude, args);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    private static string Line(ProcResult r, string prefix)
    {
        var line = r.StdoutLines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(line is not null, $"no '{prefix}' line:\n{r}");
        return line;
    }

    /// <summary>The numbers listed by "ls /proc/self/fd" (the last one is ls's own directory fd).</summary>
    private static int[] Fds(ProcResult r) =>
        Line(r, "fds=")["fds=".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Order().ToArray();

    [Fact]
    public void Run_OpenHostDescriptors_DoNotLeakIntoTheContainer()
    {
        var r = RunProbe(OpenFds + " exec 7<'/etc/hostname' 9<'/etc/hostname';");

        // 0, 1, 2 and the one ls opens for /proc/self/fd.
        Assert.Equal(new[] { 0, 1, 2, 3 }, Fds(r));
        Assert.Equal("fd3=closed", Line(r, "fd3="));
        Assert.Equal("fd4=closed", Line(r, "fd4="));
        Assert.Equal("LISTEN_FDS= LISTEN_PID=", Line(r, "LISTEN_FDS="));
    }

    [Fact]
    public void RunningContainer_HoldsOnlyStdio()
    {
        var (id, pid) = Env.CreateAndStart(Env.NewBundle(), "sleep", "1000");

        var fds = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(new[] { "0", "1", "2" }, fds);
        Assert.Equal("running", Env.Status(id));
    }

    [Fact]
    public void Exec_OpenHostDescriptors_DoNotLeak()
    {
        var (id, _) = Env.CreateAndStart(Env.NewBundle(), "sleep", "1000");

        var r = ShellWrappedRuntime.Run(Env, OpenFds, new[] { "exec", id, "sh", "-c", Probe });

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { 0, 1, 2, 3 }, Fds(r));
        Assert.Equal("fd3=closed", Line(r, "fd3="));
    }

    [Fact]
    public void PreserveFds1_PassesFd3Only()
    {
        var r = RunProbe(OpenFds, "--preserve-fds", "1");

        Assert.Equal("fd3=" + Fd3Content, Line(r, "fd3="));
        Assert.Equal("fd4=closed", Line(r, "fd4="));
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, Fds(r));
        Assert.Equal("LISTEN_FDS= LISTEN_PID=", Line(r, "LISTEN_FDS="));
    }

    [Fact]
    public void PreserveFds2_PassesFd3AndFd4()
    {
        var r = RunProbe(OpenFds, "--preserve-fds", "2");

        Assert.Equal("fd3=" + Fd3Content, Line(r, "fd3="));
        Assert.Equal("fd4=" + Fd4Content, Line(r, "fd4="));
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5 }, Fds(r));
    }

    [Fact]
    public void PreserveFds_CatThroughProcSelfFd()
    {
        var bundle = Env.NewBundle().Args("cat", "/proc/self/fd/3").Save();

        var r = ShellWrappedRuntime.Run(Env, OpenFds, new[] { "run", "--preserve-fds", "1", "--bundle", bundle.Dir, Env.NewId() });

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { Fd3Content }, r.StdoutLines);
    }

    [Fact]
    public void ListenFds_WithMatchingListenPid_PassesFd3AndSetsTheVariables()
    {
        // bash exec keeps the pid: LISTEN_PID=$$ names the runtime process itself.
        var r = RunProbe(OpenFds + " export LISTEN_FDS=1 LISTEN_PID=$$;");

        Assert.Equal("LISTEN_FDS=1 LISTEN_PID=1", Line(r, "LISTEN_FDS="));
        Assert.Equal("fd3=" + Fd3Content, Line(r, "fd3="));
        Assert.Equal("fd4=closed", Line(r, "fd4="));
    }

    [NotOnRuncFact("runc 1.1 (go-systemd activation) ignores LISTEN_FDS unless LISTEN_PID is set to its own pid")]
    public void ListenFds_WithoutListenPid_PassesFd3AndSetsTheVariables()
    {
        var r = RunProbe(OpenFds + " export LISTEN_FDS=1;");

        Assert.Equal("LISTEN_FDS=1 LISTEN_PID=1", Line(r, "LISTEN_FDS="));
        Assert.Equal("fd3=" + Fd3Content, Line(r, "fd3="));
        Assert.Equal("fd4=closed", Line(r, "fd4="));
    }

    [Fact]
    public void ListenFds_ForAnotherPid_IsIgnored()
    {
        var r = RunProbe(OpenFds + " export LISTEN_FDS=1 LISTEN_PID=1;");

        Assert.Equal("LISTEN_FDS= LISTEN_PID=", Line(r, "LISTEN_FDS="));
        Assert.Equal("fd3=closed", Line(r, "fd3="));
    }

    [Fact]
    public void ListenFds_AndPreserveFds_Add()
    {
        // Socket-activation descriptors come first (3), the preserved ones follow (4).
        var r = RunProbe(OpenFds + " export LISTEN_FDS=1 LISTEN_PID=$$;", "--preserve-fds", "1");

        Assert.Equal("LISTEN_FDS=1 LISTEN_PID=1", Line(r, "LISTEN_FDS="));
        Assert.Equal("fd3=" + Fd3Content, Line(r, "fd3="));
        Assert.Equal("fd4=" + Fd4Content, Line(r, "fd4="));
    }
}
