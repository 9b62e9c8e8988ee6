using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests.Conformance;

/// <summary>
/// config.md "POSIX-platform Hooks" and runtime.md "Lifecycle": the order of all six hook kinds and
/// the state each one gets, createRuntime (the others' details are in HookTests and HookTests2),
/// args and env passed exactly, and the failure semantics of createRuntime, poststart and poststop.
/// </summary>
public sealed class HooksConformanceTests : ConformanceTest
{
    private readonly string _shared;

    public HooksConformanceTests() => _shared = Env.NewDir("hooklog"); // bind-mounted at /mnt in the container

    private string Log => Path.Combine(_shared, "log");

    /// <summary>A hook on the host's /bin/sh appending "NAME STATUS" (status from its stdin) to <paramref name="log"/>.</summary>
    private static string[] Recorder(string name, string log) =>
        new[] { "sh", "-c", $"s=$(cat | grep -o '\"status\": *\"[a-z]*\"' | grep -o '[a-z]*\"$' | tr -d '\"'); echo \"{name} $s\" >> '{log}'" };

    private string[] LogLines() => File.Exists(Log) ? ProcResult.SplitLines(File.ReadAllText(Log)).ToArray() : Array.Empty<string>();

    [NotOnRuncFact("runc 1.1 runs poststart hooks during create, with status \"created\"")]
    public void AllHookKinds_RunInLifecycleOrder_EachWithTheStatusOfItsStep()
    {
        var bundle = Env.NewBundle().AddMount("/mnt", "bind", _shared, "rbind", "rw").Args("sleep", "1000");
        bundle.AddHook("prestart", "/bin/sh", Recorder("prestart", Log))
            .AddHook("createRuntime", "/bin/sh", Recorder("createRuntime", Log))
            .AddHook("createContainer", "/bin/sh", Recorder("createContainer", Log)) // host paths: runs before pivot_root
            .AddHook("startContainer", "/bin/sh", Recorder("startContainer", "/mnt/log")) // container paths
            .AddHook("poststart", "/bin/sh", Recorder("poststart", Log))
            .AddHook("poststop", "/bin/sh", Recorder("poststop", Log));

        var id = Env.Create(bundle);
        Assert.Equal(new[] { "prestart creating", "createRuntime creating", "createContainer creating" }, LogLines());

        Env.RunOk("start", id);
        Assert.Equal(new[] { "startContainer created", "poststart running" }, LogLines()[3..]);

        Env.RunOk("kill", id, "KILL");
        Env.WaitForStatus(id, "stopped");
        Env.RunOk("delete", id);
        Assert.Equal(new[] { "poststop stopped" }, LogLines()[5..]);
    }

    [Fact]
    public void Hook_GetsExactlyItsArgsAndEnv()
    {
        var outFile = Path.Combine(_shared, "hook-env");
        var bundle = Env.NewBundle().Args("true");
        bundle.AddHook("createRuntime", "/bin/sh", new[]
        {
            "it-argv0", "-c", $"cat >/dev/null; echo \"argv0=$0 a1=$1\" > '{outFile}'; tr '\\0' '\\n' < /proc/$$/environ >> '{outFile}'", "it-zero", "it one",
        });
        ((System.Text.Json.Nodes.JsonObject)bundle.Config["hooks"]!["createRuntime"]![0]!)["env"] =
            new System.Text.Json.Nodes.JsonArray("IT_A=1", "IT_B=two words");

        RunOk(bundle);

        var lines = ProcResult.SplitLines(File.ReadAllText(outFile));
        Assert.Equal("argv0=it-zero a1=it one", lines[0]);
        Assert.Equal(new[] { "IT_A=1", "IT_B=two words" }, lines.Skip(1).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void FailingCreateRuntimeHook_FailsCreate_LeavingNothing()
    {
        var bundle = Env.NewBundle().Args("sleep", "1000").AddHook("createRuntime", "/bin/false", new[] { "false" }).Save();
        var id = Env.NewId();

        var r = Env.Runtime.Run("create", "--bundle", bundle.Dir, id);

        Assert.True(r.ExitCode != 0, "a failing createRuntime hook must fail create:\n" + r);
        Assert.NotEmpty(r.StderrLines);
        Assert.NotEqual(0, Env.Run("state", id).ExitCode);
        Assert.Empty(Env.StateEntries());
        Env.AssertNoLeftoverProcesses();
    }

    [NotOnRuncFact("runc 1.1 fails start and removes the container when a poststart hook fails; the spec wants a warning and the lifecycle to go on")]
    public void FailingPoststartHook_IsAWarning_TheNextHookRuns_AndTheContainerKeepsRunning()
    {
        var logFile = Path.Combine(Env.TempDir, "runtime.log");
        var bundle = Env.NewBundle().Args("sleep", "1000")
            .AddHook("poststart", "/bin/false", new[] { "false" })
            .AddHook("poststart", "/bin/sh", Recorder("poststart2", Log));
        var id = Env.Create(bundle);

        var r = Env.Runtime.Run(new[] { "start", id }, globalArgs: new[] { "--log", logFile });

        Assert.True(r.ExitCode == 0, "a failing poststart hook must not fail start:\n" + r);
        Assert.Equal(new[] { "poststart2 running" }, LogLines());
        Assert.Equal("running", Env.Status(id));
        Assert.Contains("poststart", File.ReadAllText(logFile), StringComparison.Ordinal);
    }

    [NotOnRuncFact("runc 1.1 stops at the first failing poststop hook")]
    public void FailingPoststopHook_IsAWarning_TheNextHookRuns_AndDeleteSucceeds()
    {
        var bundle = Env.NewBundle().Args("true")
            .AddHook("poststop", "/bin/false", new[] { "false" })
            .AddHook("poststop", "/bin/sh", Recorder("poststop2", Log));
        var (id, _) = Env.CreateAndStart(bundle);
        Env.WaitForStatus(id, "stopped");

        var r = Env.Run("delete", id);

        Assert.True(r.ExitCode == 0, "a failing poststop hook must not fail delete:\n" + r);
        Assert.Equal(new[] { "poststop2 stopped" }, LogLines());
        Assert.NotEqual(0, Env.Run("state", id).ExitCode);
    }
}
