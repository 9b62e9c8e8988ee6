using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>
/// createContainer hooks (run during create, in the container's namespaces, before pivot_root:
/// their path and the files they touch are host paths) and startContainer hooks (run during
/// start, inside the container after pivot_root, before the program: container paths).
/// </summary>
public sealed class HookTests2 : IntegrationTest
{
    private readonly string _out;
    private readonly string _shared;

    public HookTests2()
    {
        _out = Env.NewDir("hook-out");
        _shared = Env.NewDir("shared"); // bind-mounted read-write at /mnt in the container
    }

    private string Out(string name) => Path.Combine(_out, name);

    private string Shared(string name) => Path.Combine(_shared, name);

    private Bundle NewBundle() => Env.NewBundle().AddMount("/mnt", "bind", _shared, "rbind", "rw");

    /// <summary>A createContainer hook that records its stdin, namespaces and root directory on the host.</summary>
    private Bundle WithRecordingCreateContainerHook(Bundle bundle) =>
        bundle.AddHook("createContainer", "/bin/sh", new[]
        {
            "sh", "-c",
            $"cat > '{Out("cc.json")}'; readlink /proc/self/ns/mnt > '{Out("cc-mnt")}'; readlink /proc/self/ns/pid > '{Out("cc-pid")}'; ls -1A / > '{Out("cc-root")}'",
        });

    /// <summary>A startContainer hook that records its stdin and root directory in /mnt (the shared dir).</summary>
    private static Bundle WithRecordingStartContainerHook(Bundle bundle) =>
        bundle.AddHook("startContainer", "/bin/sh", new[]
        {
            "sh", "-c", "cat > /mnt/start.json; ls -1A / > /mnt/start-root; readlink /proc/self/ns/mnt > /mnt/start-mnt",
        });

    private static JsonObject ParseState(string path)
    {
        var text = File.ReadAllText(path);
        return JsonNode.Parse(text) as JsonObject ?? throw new Xunit.Sdk.XunitException($"{path} is no JSON object: {text}");
    }

    private static string[] Lines(string path) => ProcResult.SplitLines(File.ReadAllText(path)).ToArray();

    private static string[] Entries(string dir) =>
        Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void CreateContainerHook_RunsDuringCreate_InTheContainersNamespaces_BeforePivotRoot()
    {
        var id = Env.Create(WithRecordingCreateContainerHook(NewBundle().Args("sleep", "1000")));
        var pid = TestEnv.Pid(Env.State(id));

        Assert.True(File.Exists(Out("cc.json")), "the createContainer hook did not run during create");
        Assert.Equal(HostProcess.Namespace(pid, "mnt"), File.ReadAllText(Out("cc-mnt")).Trim());
        Assert.NotEqual(HostProcess.Namespace(Environment.ProcessId, "mnt"), File.ReadAllText(Out("cc-mnt")).Trim());
        Assert.Equal(HostProcess.Namespace(pid, "pid"), File.ReadAllText(Out("cc-pid")).Trim());
        // Before pivot_root the hook's / is the host's /, not the container's rootfs.
        Assert.Equal(Entries("/"), Lines(Out("cc-root")).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("created", Env.Status(id));
    }

    [Fact]
    public void CreateContainerHook_ReceivesTheStateWhileCreating()
    {
        var bundle = WithRecordingCreateContainerHook(NewBundle().Args("sleep", "1000"));
        var id = Env.Create(bundle);

        var state = ParseState(Out("cc.json"));
        Assert.Equal(id, state["id"]?.GetValue<string>());
        Assert.Equal(bundle.Dir, state["bundle"]?.GetValue<string>());
        Assert.Equal("creating", state["status"]?.GetValue<string>());
    }

    [NotOnRuncFact("runc 1.1 passes pid 1 (the pid inside the container's pid namespace) to createContainer hooks")]
    public void CreateContainerHook_StateHasTheHostPid()
    {
        var id = Env.Create(WithRecordingCreateContainerHook(NewBundle().Args("sleep", "1000")));

        Assert.Equal(TestEnv.Pid(Env.State(id)), TestEnv.Pid(ParseState(Out("cc.json"))));
    }

    [Theory]
    [InlineData("exit 3")]
    [InlineData("missing-binary")]
    public void FailingCreateContainerHook_FailsCreateCleanly(string failure)
    {
        var mounts = MountSnapshot.Take();
        var bundle = NewBundle().Args("sleep", "1000");
        if (failure == "missing-binary")
        {
            bundle.AddHook("createContainer", "/no/such/hook", new[] { "hook" });
        }
        else
        {
            bundle.AddHook("createContainer", "/bin/sh", new[] { "sh", "-c", failure });
        }

        bundle.Save();
        var id = Env.NewId();

        var r = Env.Runtime.Run("create", "--bundle", bundle.Dir, id);

        Assert.True(r.ExitCode != 0, "a failing createContainer hook must fail create:\n" + r);
        Assert.True(r.StderrLines.Count == 1, "expected exactly one non-empty stderr line:\n" + r);
        Assert.NotEqual(0, Env.Run("state", id).ExitCode);
        Assert.Empty(Env.StateEntries());
        mounts.AssertUnchanged(MountSnapshot.Take(), "after the failed create");
        Env.AssertNoLeftoverProcesses();
    }

    [Fact]
    public void StartContainerHook_RunsInsideTheContainer_DuringStart_BeforeTheProgram()
    {
        var bundle = WithRecordingStartContainerHook(NewBundle())
            .Shell("cp /mnt/start.json /mnt/seen.tmp && mv /mnt/seen.tmp /mnt/seen-by-program; exec sleep 1000"); // whole when it appears
        var id = Env.Create(bundle);
        var pid = TestEnv.Pid(Env.State(id));
        Assert.False(File.Exists(Shared("start.json")), "the startContainer hook must not run during create");

        Env.RunOk("start", id);

        Wait.Until(() => File.Exists(Shared("seen-by-program")), TestEnv.ShortTimeout, "the program ran");
        Assert.Equal(File.ReadAllText(Shared("start.json")), File.ReadAllText(Shared("seen-by-program")));
        Assert.Equal(id, ParseState(Shared("start.json"))["id"]?.GetValue<string>());
        // After pivot_root: the hook's / is the container's rootfs.
        Assert.Equal(Entries(bundle.RootfsPath), Lines(Shared("start-root")).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(HostProcess.Namespace(pid, "mnt"), File.ReadAllText(Shared("start-mnt")).Trim());
    }

    [Fact]
    public void StartContainerHook_ForegroundRun_ProgramSeesWhatTheHookWrote()
    {
        var bundle = NewBundle()
            .AddMount("/tmp", "tmpfs", "tmpfs", "mode=1777")
            .AddHook("startContainer", "/bin/sh", new[] { "sh", "-c", "echo started > /tmp/started" })
            .Shell("cat /tmp/started")
            .Save();

        var r = Env.Runtime.Run("run", "--bundle", bundle.Dir, Env.NewId());

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { "started" }, r.StdoutLines);
    }

    [Fact]
    public void FailingStartContainerHook_ProgramNeverRuns_AndTheErrorIsReported()
    {
        var bundle = NewBundle()
            .AddHook("startContainer", "/bin/sh", new[] { "sh", "-c", "exit 4" })
            .Shell("echo ran > /mnt/ran; exec sleep 1000")
            .Save();
        var id = Env.NewId();
        // The container inherits create's stdio: keep create's stderr file to read what it writes later.
        using var create = Env.Start("create", "--bundle", bundle.Dir, id);
        var created = create.WaitForExit(RuntimeRunner.DefaultTimeout);
        Assert.True(created.ExitCode == 0, created.ToString());
        Env.State(id);

        var r = Env.Runtime.Run("start", id);

        Env.WaitForStatus(id, "stopped");
        Assert.False(File.Exists(Shared("ran")), "the program ran although its startContainer hook failed:\n" + r);
        // Reported by start, or (like runc) on the container's stderr, but not silently dropped.
        var reported = r.StderrLines.Concat(ProcResult.SplitLines(create.CurrentStderr)).ToList();
        Assert.True(reported.Count > 0, $"the failed startContainer hook was reported nowhere:\n{r}\n--- container stderr ---\n{create.CurrentStderr}");
    }
}
