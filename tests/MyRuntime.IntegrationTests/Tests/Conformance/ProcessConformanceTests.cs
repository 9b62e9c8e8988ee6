using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests.Conformance;

/// <summary>
/// config.md "process": the fields not already checked by ProcessSettingsTests, RunOutputTests and
/// ConsoleSocketTests (user.uid/gid, terminal=false, consoleSize, args passed verbatim).
/// </summary>
public sealed class ProcessConformanceTests : ConformanceTest
{
    [Fact]
    public void UserUidAndGid_AreAllFourIdsOfTheProcess()
    {
        var bundle = Env.NewBundle().User(1234, 2345).Shell("id -u; id -g; grep -E '^(Uid|Gid):' /proc/self/status");

        var r = RunOk(bundle);

        Assert.Equal("1234", r.StdoutLines[0]);
        Assert.Equal("2345", r.StdoutLines[1]);
        Assert.Equal("Uid: 1234 1234 1234 1234", Squeeze(r.StdoutLines[2]));
        Assert.Equal("Gid: 2345 2345 2345 2345", Squeeze(r.StdoutLines[3]));
    }

    [Fact]
    public void Args_ArePassedVerbatim_NoShellOrGlobbing()
    {
        var bundle = Env.NewBundle().Args("sh", "-c", "for a in \"$@\"; do echo \"[$a]\"; done", "argv0", "a  b", "", "*", "$HOME", "'q'");

        var r = RunOk(bundle);

        Assert.Equal("[a  b]\n[]\n[*]\n[$HOME]\n['q']\n", r.Stdout);
    }

    [Fact]
    public void TerminalFalse_StdioAreNotTerminals()
    {
        var bundle = Env.NewBundle().Terminal(false)
            .Shell("for fd in 0 1 2; do if [ -t $fd ]; then echo tty$fd; else echo notty$fd; fi; done");

        var r = RunOk(bundle);

        Assert.Equal(new[] { "notty0", "notty1", "notty2" }, r.StdoutLines);
    }

    [Fact]
    public void ConsoleSize_IsTheTerminalsSize_BeforeTheProgramRuns()
    {
        var bundle = Env.NewBundle().Terminal(true).Shell("echo size=$(stty size)");
        bundle.Process["consoleSize"] = new JsonObject { ["height"] = 37, ["width"] = 111 };
        bundle.Save();
        var socketPath = Path.Combine(Env.TempDir, "console.sock");
        using var listener = new ConsoleSocketListener(socketPath);
        var id = Env.NewId();

        using var create = Env.Start("create", "--bundle", bundle.Dir, "--console-socket", socketPath, id);
        using var master = listener.AcceptPtyMaster(TestEnv.ShortTimeout);
        var created = create.WaitForExit(TestEnv.ShortTimeout);
        Assert.True(created.ExitCode == 0, created.ToString());

        Env.RunOk("start", id);

        Assert.True(master.ReadUntil("size=37 111", TestEnv.ShortTimeout), "terminal output:\n" + master.Output);
        Env.WaitForStatus(id, "stopped");
    }

    private static string Squeeze(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
