using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>
/// 8. Bad input: non-zero exit, exactly one non-empty stderr line, and nothing left behind
/// (no state entry under --root, no new host mount, no leftover runtime process).
/// </summary>
public sealed class BadInputTests : IntegrationTest
{
    [Theory]
    [InlineData("create", "no-config")]
    [InlineData("create", "malformed-json")]
    [InlineData("create", "unknown-namespace")]
    [InlineData("create", "missing-rootfs")]
    [InlineData("run", "no-config")]
    [InlineData("run", "malformed-json")]
    [InlineData("run", "unknown-namespace")]
    [InlineData("run", "missing-rootfs")]
    public void BrokenBundle_FailsCleanly(string command, string breakage)
    {
        var mounts = MountSnapshot.Take();
        var bundle = Env.NewBundle().Args("sleep", "1000");
        switch (breakage)
        {
            case "no-config":
                break; // the bundle dir exists but holds no config.json
            case "malformed-json":
                File.WriteAllText(bundle.ConfigPath, "{ \"ociVersion\": \"1.0.2\", \"process\": { \"args\": [\"sh\"");
                break;
            case "unknown-namespace":
                bundle.AddNamespace("foo").Save();
                break;
            case "missing-rootfs":
                ((JsonObject)bundle.Config["root"]!)["path"] = Path.Combine(Env.TempDir, "no-such-rootfs");
                bundle.Save();
                break;
            default:
                throw new ArgumentException(breakage);
        }

        var id = Env.NewId();
        var r = Env.Runtime.Run(command, "--bundle", bundle.Dir, id);

        AssertCleanFailure(r, mounts);
        Assert.Empty(Env.StateEntries());
        Assert.NotEqual(0, Env.Run("state", id).ExitCode);
    }

    [Fact]
    public void MissingBundleDirectory_FailsCleanly()
    {
        var mounts = MountSnapshot.Take();

        var r = Env.Runtime.Run("create", "--bundle", Path.Combine(Env.TempDir, "no-such-bundle"), Env.NewId());

        AssertCleanFailure(r, mounts);
        Assert.Empty(Env.StateEntries());
    }

    [Fact]
    public void DuplicateId_SecondCreateFails_FirstContainerUnaffected()
    {
        var id = Env.Create(Env.NewBundle().Args("sleep", "1000"));
        var pid = TestEnv.Pid(Env.State(id));
        var mounts = MountSnapshot.Take();

        var second = Env.NewBundle().Args("sleep", "1000").Save();
        var r = Env.Runtime.Run("create", "--bundle", second.Dir, id);
        var r2 = Env.Runtime.Run("run", "--bundle", second.Dir, id);

        AssertCleanFailure(r, mounts, pid);
        AssertCleanFailure(r2, mounts, pid);
        Assert.Equal(new[] { id }, Env.StateEntries());
        var state = Env.State(id);
        Assert.Equal("created", state["status"]?.GetValue<string>());
        Assert.Equal(pid, TestEnv.Pid(state));
        Assert.NotEqual(second.Dir, state["bundle"]?.GetValue<string>());
        Assert.True(HostProcess.IsAlive(pid));

        Env.RunOk("start", id);
        Assert.Equal("running", Env.Status(id));
    }

    [Theory]
    [InlineData("SIGFOO")]
    [InlineData("FOO")]
    [InlineData("999")]
    public void UnknownSignal_FailsAndContainerKeepsRunning(string signal)
    {
        var (id, pid) = Env.CreateAndStart(Env.NewBundle(), "sleep", "1000");
        var mounts = MountSnapshot.Take();

        var r = Env.Runtime.Run("kill", id, signal);

        AssertCleanFailure(r, mounts);
        Assert.Equal("running", Env.Status(id));
        Assert.True(HostProcess.IsAlive(pid));
    }

    [Theory]
    [InlineData("start")]
    [InlineData("state")]
    [InlineData("kill")]
    [InlineData("delete")]
    [InlineData("ps")]
    public void MissingContainer_Fails(string command)
    {
        var mounts = MountSnapshot.Take();

        var r = Env.Runtime.Run(command, "it-nosuch-" + TestEnv.RandomHex(4));

        AssertCleanFailure(r, mounts);
        Assert.Empty(Env.StateEntries());
    }

    [Fact]
    public void UnknownCommand_Fails()
    {
        var r = Env.Runtime.Run("frobnicate");

        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.NotEmpty(r.StderrLines);
        Assert.Empty(Env.StateEntries());
    }

    private void AssertCleanFailure(ProcResult r, MountSnapshot mountsBefore, params int[] keptPids)
    {
        Assert.True(r.ExitCode != 0, "expected failure:\n" + r);
        Assert.True(r.StderrLines.Count == 1, "expected exactly one non-empty stderr line:\n" + r);
        mountsBefore.AssertUnchanged(MountSnapshot.Take(), "after a failed command");
        Env.AssertNoLeftoverProcesses(keptPids);
    }
}
