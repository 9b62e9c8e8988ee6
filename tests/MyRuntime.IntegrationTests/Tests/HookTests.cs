using System.Diagnostics;
using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>10. Hooks run on the host and receive the container state on stdin.</summary>
public sealed class HookTests : IntegrationTest
{
    private readonly string _out;

    public HookTests() => _out = Env.NewDir("hook-out");

    private Bundle BundleWithHooks(params string[] kinds)
    {
        var bundle = Env.NewBundle().Args("sleep", "1000");
        foreach (var kind in kinds)
        {
            bundle.AddHook(kind, "/bin/sh", new[] { "sh", "-c", $"cat > '{HookFile(kind)}'" });
        }

        return bundle;
    }

    private string HookFile(string kind) => Path.Combine(_out, $"hook-{kind}.json");

    private JsonObject HookState(string kind)
    {
        var path = HookFile(kind);
        Assert.True(File.Exists(path), $"{kind} hook did not run");
        var text = File.ReadAllText(path);
        return JsonNode.Parse(text) as JsonObject ?? throw new Xunit.Sdk.XunitException($"{kind} hook got no JSON object: {text}");
    }

    [Fact]
    public void PrestartPoststartPoststop_ReceiveStateWithIdAndStatus()
    {
        var bundle = BundleWithHooks("prestart", "poststart", "poststop");

        var id = Env.Create(bundle);
        var pid = TestEnv.Pid(Env.State(id));

        var prestart = HookState("prestart");
        Assert.Equal(id, prestart["id"]?.GetValue<string>());
        Assert.Equal("creating", prestart["status"]?.GetValue<string>());
        Assert.Equal(pid, TestEnv.Pid(prestart));
        Assert.Equal(bundle.Dir, prestart["bundle"]?.GetValue<string>());
        Assert.False(File.Exists(HookFile("poststop")), "poststop must not run before delete");

        Env.RunOk("start", id);
        var poststart = HookState("poststart");
        Assert.Equal(id, poststart["id"]?.GetValue<string>());
        Assert.Equal(pid, TestEnv.Pid(poststart));
        Assert.False(File.Exists(HookFile("poststop")), "poststop must not run before delete");

        Env.RunOk("kill", id, "KILL");
        Env.WaitForStatus(id, "stopped");
        Env.RunOk("delete", id);

        var poststop = HookState("poststop");
        Assert.Equal(id, poststop["id"]?.GetValue<string>());
        Assert.Equal("stopped", poststop["status"]?.GetValue<string>());
    }

    [NotOnRuncFact("runc 1.1 runs poststart hooks during create, with status \"created\"; the spec wants them after the program started, before start returns")]
    public void Poststart_RunsDuringStart_WithStatusRunning()
    {
        var id = Env.Create(BundleWithHooks("poststart"));
        Assert.False(File.Exists(HookFile("poststart")), "poststart must not run during create");

        Env.RunOk("start", id);

        var poststart = HookState("poststart");
        Assert.Equal(id, poststart["id"]?.GetValue<string>());
        Assert.Equal("running", poststart["status"]?.GetValue<string>());
    }

    [Fact]
    public void Poststop_RunsForForegroundRun()
    {
        var bundle = BundleWithHooks("poststop").Shell("exit 0").Save();
        var id = Env.NewId();

        var r = Env.Runtime.Run("run", "--bundle", bundle.Dir, id);

        Assert.True(r.ExitCode == 0, r.ToString());
        var poststop = HookState("poststop");
        Assert.Equal(id, poststop["id"]?.GetValue<string>());
        Assert.Equal("stopped", poststop["status"]?.GetValue<string>());
    }

    [Fact]
    public void PrestartHookTimeout_FailsCreate()
    {
        var mounts = MountSnapshot.Take();
        var bundle = Env.NewBundle().Args("sleep", "1000")
            .AddHook("prestart", "/bin/sh", new[] { "sh", "-c", "exec sleep 30" }, timeoutSeconds: 1);
        var id = Env.NewId();
        var sw = Stopwatch.StartNew();

        bundle.Save();
        var r = Env.Runtime.Run("create", "--bundle", bundle.Dir, id);

        Assert.True(r.ExitCode != 0, "a hook that exceeds its timeout must fail create:\n" + r);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15), $"create took {sw.Elapsed.TotalSeconds:F1}s despite a 1s hook timeout");
        Assert.NotEqual(0, Env.Run("state", id).ExitCode);
        Assert.Empty(Env.StateEntries());
        mounts.AssertUnchanged(MountSnapshot.Take(), "after the failed create");
        Env.AssertNoLeftoverProcesses();
    }

    [NotOnRuncFact("runc 1.1 kills only the hook process and then waits for its stdout/stderr to close, so a grandchild (sh -c 'sleep 30') blocks create for the full 30s")]
    public void PrestartHookTimeout_WithGrandchild_FailsCreatePromptly()
    {
        var bundle = Env.NewBundle().Args("sleep", "1000")
            .AddHook("prestart", "/bin/sh", new[] { "sh", "-c", "sleep 30; true" }, timeoutSeconds: 1);
        var id = Env.NewId();
        var sw = Stopwatch.StartNew();

        bundle.Save();
        var r = Env.Runtime.Run("create", "--bundle", bundle.Dir, id);

        Assert.True(r.ExitCode != 0, "a hook that exceeds its timeout must fail create:\n" + r);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15), $"create took {sw.Elapsed.TotalSeconds:F1}s despite a 1s hook timeout");
        Assert.NotEqual(0, Env.Run("state", id).ExitCode);
        Assert.Empty(Env.StateEntries());
    }

    [Fact]
    public void FailingPrestartHook_FailsCreate()
    {
        var bundle = Env.NewBundle().Args("sleep", "1000")
            .AddHook("prestart", "/bin/sh", new[] { "sh", "-c", "exit 1" });
        var id = Env.NewId();

        bundle.Save();
        var r = Env.Runtime.Run("create", "--bundle", bundle.Dir, id);

        Assert.True(r.ExitCode != 0, "a failing prestart hook must fail create:\n" + r);
        Assert.NotEqual(0, Env.Run("state", id).ExitCode);
        Assert.Empty(Env.StateEntries());
        Env.AssertNoLeftoverProcesses();
    }
}
