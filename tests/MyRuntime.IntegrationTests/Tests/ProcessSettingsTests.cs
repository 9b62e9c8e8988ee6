using System.Globalization;
using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>
/// process.*: rlimits, capabilities, umask, additional groups, noNewPrivileges, oomScoreAdj,
/// cwd and env, as the container's program sees them.
/// </summary>
public sealed class ProcessSettingsTests : IntegrationTest
{
    // Capability bits (linux/capability.h).
    private const ulong CapChown = 1UL << 0;
    private const ulong CapKill = 1UL << 5;
    private const ulong CapSetuid = 1UL << 7;
    private const ulong CapNetBindService = 1UL << 10;

    private ProcResult RunOk(Bundle bundle)
    {
        bundle.Save();
        var r = Env.Runtime.Run("run", "--bundle", bundle.Dir, Env.NewId());
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    /// <summary>"Key:" line of /proc/self/status as printed by the container, value trimmed.</summary>
    private static string StatusValue(ProcResult r, string key)
    {
        var line = r.StdoutLines.FirstOrDefault(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        Assert.True(line is not null, $"no {key}: line in the output:\n{r}");
        return line[(key.Length + 1)..].Trim();
    }

    private static JsonArray Caps(params string[] names) =>
        new(names.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());

    private static string Hex(ulong mask) => mask.ToString("x16", CultureInfo.InvariantCulture);

    [Fact]
    public void Rlimits_AreApplied()
    {
        var bundle = Env.NewBundle().Shell("ulimit -n; ulimit -Hn; cat /proc/self/limits");
        bundle.Process["rlimits"] = new JsonArray(
            new JsonObject { ["type"] = "RLIMIT_NOFILE", ["soft"] = 321, ["hard"] = 654 },
            new JsonObject { ["type"] = "RLIMIT_CORE", ["soft"] = 4096, ["hard"] = 8192 });

        var r = RunOk(bundle);

        var lines = r.StdoutLines;
        Assert.Equal("321", lines[0]);
        Assert.Equal("654", lines[1]);
        Assert.Contains(lines, l => Columns(l, "Max open files").SequenceEqual(new[] { "321", "654", "files" }));
        Assert.Contains(lines, l => Columns(l, "Max core file size").SequenceEqual(new[] { "4096", "8192", "bytes" }));
    }

    [Fact]
    public void Rlimit_SoftAboveHard_FailsCreate_WithAMessage()
    {
        var bundle = Env.NewBundle().Args("sleep", "1000");
        bundle.Process["rlimits"] = new JsonArray(new JsonObject { ["type"] = "RLIMIT_NOFILE", ["soft"] = 700, ["hard"] = 600 });
        bundle.Save();
        var id = Env.NewId();

        var r = Env.Runtime.Run("create", "--bundle", bundle.Dir, id);

        Assert.True(r.ExitCode != 0, "create with an rlimit whose soft value exceeds the hard one must fail:\n" + r);
        Assert.NotEmpty(r.StderrLines);
        Assert.NotEqual(0, Env.Run("state", id).ExitCode);
        Assert.Empty(Env.StateEntries());
        Env.AssertNoLeftoverProcesses();
    }

    private static string[] Columns(string limitsLine, string name) =>
        limitsLine.StartsWith(name, StringComparison.Ordinal)
            ? limitsLine[name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            : Array.Empty<string>();

    /// <summary>A runtime whose own bounding set lacks a capability (setpriv drops it, as a sandbox may) cannot hand
    /// it on: create fails with one line, as runc's, instead of the container dying after start.</summary>
    [Fact]
    public void Capabilities_MissingFromTheRuntimesBoundingSet_FailCreate_LeavingNothing()
    {
        var bundle = Env.NewBundle().Args("sleep", "1000");
        bundle.Process["capabilities"] = new JsonObject
        {
            ["bounding"] = Caps("CAP_CHOWN", "CAP_SYS_MODULE"),
            ["effective"] = Caps("CAP_CHOWN", "CAP_SYS_MODULE"),
            ["permitted"] = Caps("CAP_CHOWN", "CAP_SYS_MODULE"),
        };
        bundle.Save();
        string id = Env.NewId();

        var r = HostCommand.Run("setpriv", "--bounding-set", "-sys_module", "--inh-caps", "-all", Env.Runtime.Binary,
            "--root", Env.Runtime.RootDir, "create", "--bundle", bundle.Dir, id);

        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains("capability CAP_SYS_MODULE is not in the runtime's bounding set", r.Stderr, StringComparison.Ordinal);
        Assert.Single(r.StderrLines);
        Assert.NotEqual(0, Env.Run("state", id).ExitCode);
        Assert.Empty(Env.StateEntries());
        Env.AssertNoLeftoverProcesses();
    }

    [Fact]
    public void Capabilities_Root_SmallSet()
    {
        var bundle = Env.NewBundle().Args("grep", "^Cap", "/proc/self/status");
        bundle.Process["capabilities"] = new JsonObject
        {
            ["bounding"] = Caps("CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"),
            ["effective"] = Caps("CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"),
            ["permitted"] = Caps("CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"),
        };

        var r = RunOk(bundle);

        var expected = Hex(CapChown | CapKill | CapNetBindService);
        Assert.Equal(expected, StatusValue(r, "CapEff"));
        Assert.Equal(expected, StatusValue(r, "CapPrm"));
        Assert.Equal(expected, StatusValue(r, "CapBnd"));
        Assert.Equal(Hex(0), StatusValue(r, "CapInh"));
        Assert.Equal(Hex(0), StatusValue(r, "CapAmb"));
    }

    [Fact]
    public void Capabilities_NonRoot_AmbientWithInheritable()
    {
        // For a non-root user without file capabilities, what survives execve is the ambient set.
        var bundle = Env.NewBundle().User(1000, 1000).Args("grep", "^Cap", "/proc/self/status");
        bundle.Process["capabilities"] = new JsonObject
        {
            ["bounding"] = Caps("CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"),
            ["effective"] = Caps("CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"),
            ["permitted"] = Caps("CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"),
            ["inheritable"] = Caps("CAP_NET_BIND_SERVICE"),
            ["ambient"] = Caps("CAP_NET_BIND_SERVICE"),
        };

        var r = RunOk(bundle);

        Assert.Equal(Hex(CapChown | CapKill | CapNetBindService | CapSetuid), StatusValue(r, "CapBnd"));
        Assert.Equal(Hex(CapNetBindService), StatusValue(r, "CapInh"));
        Assert.Equal(Hex(CapNetBindService), StatusValue(r, "CapAmb"));
        Assert.Equal(Hex(CapNetBindService), StatusValue(r, "CapPrm"));
        Assert.Equal(Hex(CapNetBindService), StatusValue(r, "CapEff"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Capabilities_WithoutCapChown_RootCannotChown(bool withChown)
    {
        var names = withChown ? new[] { "CAP_CHOWN", "CAP_KILL" } : new[] { "CAP_KILL" };
        var bundle = Env.NewBundle()
            .AddMount("/tmp", "tmpfs", "tmpfs", "mode=1777")
            .Shell("touch /tmp/f && if chown 1000 /tmp/f 2>/dev/null; then echo CHOWNED; else echo DENIED; fi");
        bundle.Process["capabilities"] = new JsonObject
        {
            ["bounding"] = Caps(names),
            ["effective"] = Caps(names),
            ["permitted"] = Caps(names),
        };

        var r = RunOk(bundle);

        Assert.Equal(new[] { withChown ? "CHOWNED" : "DENIED" }, r.StdoutLines);
    }

    [Fact]
    public void Umask_IsApplied()
    {
        var bundle = Env.NewBundle()
            .AddMount("/tmp", "tmpfs", "tmpfs", "mode=1777")
            .Shell("umask; touch /tmp/f; mkdir /tmp/d; stat -c %a /tmp/f /tmp/d");
        ((JsonObject)bundle.Process["user"]!)["umask"] = 63; // 0077

        var r = RunOk(bundle);

        Assert.Equal(new[] { "0077", "600", "700" }, r.StdoutLines);
    }

    [Fact]
    public void Umask_DefaultsTo0022()
    {
        var r = RunOk(Env.NewBundle().Shell("umask"));

        Assert.Equal(new[] { "0022" }, r.StdoutLines);
    }

    [Fact]
    public void AdditionalGids_AreTheSupplementaryGroups()
    {
        var bundle = Env.NewBundle().Shell("id -G; grep ^Groups: /proc/self/status");
        ((JsonObject)bundle.Process["user"]!)["additionalGids"] = new JsonArray(5, 10, 1234);

        var r = RunOk(bundle);

        Assert.Equal("0 5 10 1234", r.StdoutLines[0]);
        Assert.Equal(new[] { "5", "10", "1234" }, r.StdoutLines[1]["Groups:".Length..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void NoAdditionalGids_NoSupplementaryGroups()
    {
        // The runtime's own groups (root's on the host) must not leak into the container.
        var bundle = Env.NewBundle().User(1000, 1000).Shell("id -u; id -G; grep ^Groups: /proc/self/status");

        var r = RunOk(bundle);

        Assert.Equal("1000", r.StdoutLines[0]);
        Assert.Equal("1000", r.StdoutLines[1]);
        Assert.Equal("Groups:", r.StdoutLines[2].Trim());
    }

    [Theory]
    [InlineData(true, "1")]
    [InlineData(false, "0")]
    public void NoNewPrivileges_IsReflectedInStatus(bool noNewPrivileges, string expected)
    {
        var bundle = Env.NewBundle().Args("grep", "^NoNewPrivs:", "/proc/self/status");
        bundle.Process["noNewPrivileges"] = noNewPrivileges;

        var r = RunOk(bundle);

        Assert.Equal(expected, StatusValue(r, "NoNewPrivs"));
    }

    [Theory]
    [InlineData(123)]
    [InlineData(1000)]
    public void OomScoreAdj_IsApplied(int value)
    {
        var hostBefore = File.ReadAllText("/proc/self/oom_score_adj").Trim();
        var bundle = Env.NewBundle().Args("cat", "/proc/self/oom_score_adj");
        bundle.Process["oomScoreAdj"] = value;

        var r = RunOk(bundle);

        Assert.Equal(new[] { value.ToString(CultureInfo.InvariantCulture) }, r.StdoutLines);
        Assert.Equal(hostBefore, File.ReadAllText("/proc/self/oom_score_adj").Trim());
    }

    [Fact]
    public void OomScoreAdj_OutOfRange_FailsCreate_WithAMessage()
    {
        // The kernel accepts -1000..1000: 1001 cannot be applied, which create must report.
        var bundle = Env.NewBundle().Args("sleep", "1000");
        bundle.Process["oomScoreAdj"] = 1001;
        bundle.Save();
        var id = Env.NewId();

        var r = Env.Runtime.Run("create", "--bundle", bundle.Dir, id);

        Assert.True(r.ExitCode != 0, "create with oomScoreAdj 1001 must fail:\n" + r);
        Assert.True(r.Stderr.Contains("oom", StringComparison.OrdinalIgnoreCase), "the error must name the oom score:\n" + r);
        Assert.NotEqual(0, Env.Run("state", id).ExitCode);
        Assert.Empty(Env.StateEntries());
        Env.AssertNoLeftoverProcesses();
    }

    [Fact]
    public void Cwd_IsTheWorkingDirectory_ForRelativePaths()
    {
        var bundle = Env.NewBundle().Shell("pwd; cat hostname; ls -d ../etc");
        bundle.Process["cwd"] = "/etc";

        var r = RunOk(bundle);

        Assert.Equal(new[] { "/etc", File.ReadAllText(Path.Combine(bundle.RootfsPath, "etc", "hostname")).Trim(), "../etc" }, r.StdoutLines);
    }

    [Fact]
    public void Cwd_MissingFromTheImage_IsCreatedOrReportedOnStderr()
    {
        // runc creates a missing cwd inside the rootfs; failing is acceptable too, but not silently.
        var bundle = Env.NewBundle().UsePrivateRootfs().Shell("pwd");
        bundle.Process["cwd"] = "/work/dir";
        bundle.Save();

        var r = Env.Runtime.Run("run", "--bundle", bundle.Dir, Env.NewId());

        if (r.ExitCode == 0)
        {
            Assert.Equal(new[] { "/work/dir" }, r.StdoutLines);
        }
        else
        {
            Assert.True(r.StderrLines.Count == 1 && r.Stderr.Contains("/work/dir", StringComparison.Ordinal),
                "a missing cwd must either be created or fail with one stderr line naming it:\n" + r);
            Assert.Empty(Env.StateEntries());
        }
    }

    [Fact]
    public void Env_IsExactlyTheConfiguredOne()
    {
        // The runtime's own environment (e.g. the test token) must not leak into the container.
        var bundle = Env.NewBundle().Args("env");
        bundle.Process["env"] = new JsonArray("PATH=/bin:/usr/bin", "A=b=c", "EMPTY=", "SPACES=a  b", "HOME=/custom");

        var r = RunOk(bundle);

        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "A=b=c", "EMPTY=", "HOME=/custom", "PATH=/bin:/usr/bin", "SPACES=a  b" }, lines);
    }

    [Fact]
    public void Env_ArgsAreResolvedThroughTheContainersPath()
    {
        // "sh" is not an absolute path: it is looked up in the container's PATH, not the host's.
        var bundle = Env.NewBundle().Args("sh", "-c", "echo $PATH");
        bundle.Process["env"] = new JsonArray("PATH=/bin");

        var r = RunOk(bundle);

        Assert.Equal(new[] { "/bin" }, r.StdoutLines);
    }

    [Theory]
    [InlineData(0u, "/root")]
    [InlineData(1000u, "/home/app")]
    public void Env_HomeDefaultsFromPasswd(uint uid, string home)
    {
        // runc sets HOME from the container's /etc/passwd when process.env has none.
        var bundle = Env.NewBundle().User(uid, uid).Shell("echo \"HOME=$HOME\"");

        var r = RunOk(bundle);

        Assert.Equal(new[] { "HOME=" + home }, r.StdoutLines);
    }
}
