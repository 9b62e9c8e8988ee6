using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>linux.resources through cgroups, on the layout this host runs (v1/hybrid here).</summary>
public sealed class CgroupTests : IntegrationTest
{
    private static bool V2 => CgroupSupport.V2;

    private static Bundle WithResources(Bundle b, string resourcesJson) => CgroupSupport.WithResources(b, resourcesJson);

    private static IEnumerable<string> CgroupDirsNamed(string id) => CgroupSupport.CgroupDirsNamed(id);

    private static string CgroupDir(int pid, string controller) => CgroupSupport.CgroupDir(pid, controller);

    [Fact]
    public void MemoryLimit_ProgramAllocatingMore_IsKilled137_AndReportedAsOom()
    {
        // A private rootfs: in the v2 guest the image sits on 9p, and reclaiming busybox's pages near the limit
        // then means re-reading them over 9p again and again before the OOM killer acts.
        var b = WithResources(Env.NewBundle(), """{"memory":{"limit":33554432,"swap":33554432}}""")
            .UsePrivateRootfs()
            .Shell("x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo survived").Save();
        var id = Env.NewId();

        // Generous: under emulation (the cgroup v2 guest) pushing 64 MiB through tr takes a while.
        var r = Env.Runtime.Run(["run", "--bundle", b.Dir, id], timeout: TimeSpan.FromSeconds(120));

        Assert.True(r.ExitCode == 137, r.ToString());
        Assert.DoesNotContain("survived", r.Stdout);
        Assert.Contains("OOM", r.Stderr);
        Assert.Empty(CgroupDirsNamed(id));
    }

    [Fact]
    public void PidsLimit_ForksBeyondItFail_InsideOnly()
    {
        int hostProcesses = Directory.EnumerateDirectories("/proc").Count(d => int.TryParse(Path.GetFileName(d), out _));
        var b = WithResources(Env.NewBundle(), """{"pids":{"limit":8}}""")
            .Shell("i=0; while [ $i -lt 20 ]; do sleep 30 & i=$((i+1)); echo started=$i; done; echo all-started").Save();
        var id = Env.NewId();

        var r = Env.Run("run", "--bundle", b.Dir, id);

        Assert.DoesNotContain("all-started", r.Stdout);
        Assert.Contains("fork", r.Stderr);
        int started = r.StdoutLines.Count(l => l.StartsWith("started=", StringComparison.Ordinal));
        Assert.InRange(started, 1, 7); // the shell itself counts against the limit
        int hostNow = Directory.EnumerateDirectories("/proc").Count(d => int.TryParse(Path.GetFileName(d), out _));
        Assert.True(hostNow < hostProcesses + 20, $"host processes went from {hostProcesses} to {hostNow}");
        Assert.Empty(CgroupDirsNamed(id));
    }

    [Fact]
    public void Limits_AreInForceBeforeTheProgramRuns_AndTheContainerSeesItsOwnCgroup()
    {
        var b = WithResources(Env.NewBundle(), """{"memory":{"limit":67108864},"cpu":{"quota":50000,"period":100000},"pids":{"limit":64}}""")
            .AddMount("/sys/fs/cgroup", "cgroup", "cgroup", "ro", "nosuid", "nodev", "noexec");
        var (id, pid) = Env.CreateAndStart(b, "sleep", "1000");

        string Read(string controller, string file) => File.ReadAllText(Path.Combine(CgroupDir(pid, controller), file)).Trim();
        Assert.Equal("67108864", Read("memory", V2 ? "memory.max" : "memory.limit_in_bytes"));
        Assert.Equal(V2 ? "50000 100000" : "50000", Read("cpu", V2 ? "cpu.max" : "cpu.cfs_quota_us"));
        Assert.Equal("64", Read("pids", "pids.max"));
        Assert.EndsWith($"myruntime-{id}", CgroupDir(pid, "memory"));

        string limitInside = V2 ? "/sys/fs/cgroup/memory.max" : "/sys/fs/cgroup/memory/memory.limit_in_bytes";
        var inside = Env.RunOk("exec", id, "sh", "-c", $"cat /proc/self/cgroup; cat {limitInside}");
        Assert.Contains("67108864", inside.Stdout);
        Assert.All(inside.StdoutLines.Where(l => l.Contains(':')), l => Assert.EndsWith(":/", l));

        Env.RunOk("delete", "--force", id);
        Assert.Empty(CgroupDirsNamed(id));
    }

    [Fact]
    public void PauseAndResume_FreezeEveryProcess()
    {
        var (id, pid) = Env.CreateAndStart(Env.NewBundle(), "sh", "-c", "while true; do echo x >> /tmp/ticks; sleep 0.05; done");

        Env.RunOk("pause", id);
        Assert.Equal("paused", Env.Status(id));
        if (V2)
        {
            Assert.Contains("frozen 1", File.ReadAllText(Path.Combine(CgroupDir(pid, "freezer"), "cgroup.events")));
        }
        else
        {
            Assert.Equal("FROZEN", File.ReadAllText(Path.Combine(CgroupDir(pid, "freezer"), "freezer.state")).Trim());
        }

        var again = Env.Run("pause", id);
        Assert.True(again.ExitCode != 0, "pausing a paused container must fail:\n" + again);

        Env.RunOk("resume", id);
        Assert.Equal("running", Env.Status(id));

        var delete = Env.Run("delete", id);
        Assert.True(delete.ExitCode != 0, "delete without --force of a running container must fail:\n" + delete);
        Env.RunOk("pause", id);
        Env.RunOk("delete", "--force", id);
        Assert.Empty(CgroupDirsNamed(id));
    }

    [Theory]
    [InlineData("""{"memory":{"limit":-5}}""", "memory.limit")]
    [InlineData("""{"cpu":{"quota":50000}}""", "period")]
    [InlineData("""{"pids":{"limit":-7}}""", "pids.limit")]
    public void BadResourceValues_FailCleanly(string resources, string mentioned)
    {
        CgroupSupport.AssertCreateRefused(Env, WithResources(Env.NewBundle(), resources), mentioned);
    }

    [Fact]
    public void CgroupsPathEscapingWithDotDot_FailsCleanly()
    {
        var b = Env.NewBundle().Args("true");
        b.Linux["cgroupsPath"] = "../../escape";
        b.Save();
        var id = Env.NewId();

        var r = Env.Run("create", "--bundle", b.Dir, id);

        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Single(r.StderrLines);
        Assert.Contains("cgroupsPath", r.Stderr);
        Assert.DoesNotContain(id, Env.StateEntries());
    }

    [Fact]
    public void Update_LowersTheMemoryLimitOfARunningContainer_FromFlagsAndFromResourcesJson()
    {
        var b = WithResources(Env.NewBundle(), """{"memory":{"limit":134217728},"pids":{"limit":100}}""");
        var (id, pid) = Env.CreateAndStart(b, "sleep", "1000");
        string Read(string controller, string file) => File.ReadAllText(Path.Combine(CgroupDir(pid, controller), file)).Trim();

        Env.RunOk("update", "--memory", "64m", "--pids-limit", "50", id);
        Assert.Equal("67108864", Read("memory", V2 ? "memory.max" : "memory.limit_in_bytes"));
        Assert.Equal("50", Read("pids", "pids.max"));

        var r = Env.Runtime.Run(["update", "--resources", "-", id], stdin: """{"memory":{"limit":33554432}}""");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("33554432", Read("memory", V2 ? "memory.max" : "memory.limit_in_bytes"));

        var bad = Env.Run("update", "--pids-limit", "-9", id);
        Assert.True(bad.ExitCode != 0, bad.ToString());
        Assert.Single(bad.StderrLines);
        Assert.Equal("50", Read("pids", "pids.max"));
    }

    [Fact]
    public void KillAll_StopsAForkingContainer_WithNothingLeftInItsCgroup()
    {
        var b = WithResources(Env.NewBundle(), """{"pids":{"limit":64}}""");
        // 40 background processes, below the pids limit: an endless fork loop reached the limit on a slow (TCG)
        // guest, and the shell, failing to fork, ended the container before kill --all came.
        var (id, pid) = Env.CreateAndStart(b, "sh", "-c", "i=0; while [ $i -lt 40 ]; do sleep 1000 & i=$((i+1)); sleep 0.01; done; while true; do sleep 1; done");
        string dir = CgroupDir(pid, "pids");
        var deadline = DateTime.UtcNow.AddSeconds(10 * TestSettings.TimeoutScale);
        while (File.ReadAllLines(Path.Combine(dir, "cgroup.procs")).Length < 10 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
        }

        Env.RunOk("kill", "--all", id, "KILL");

        Env.WaitForStatus(id, "stopped");
        deadline = DateTime.UtcNow.AddSeconds(5 * TestSettings.TimeoutScale);
        while (File.ReadAllText(Path.Combine(dir, "cgroup.procs")).Length > 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        Assert.Equal(string.Empty, File.ReadAllText(Path.Combine(dir, "cgroup.procs")));
        Env.RunOk("delete", id);
        Assert.Empty(CgroupDirsNamed(id));
    }

    [Fact]
    public void SameIdUnderAnotherRoot_CannotTakeOverARunningContainersCgroup()
    {
        var (id, pid) = Env.CreateAndStart(Env.NewBundle(), "sleep", "1000");
        string otherRoot = Path.Combine(Env.TempDir, "other-root");
        var other = new RuntimeRunner(Env.Runtime.Binary, otherRoot, Path.Combine(Env.TempDir, "io-other"), Env.Token);
        try
        {
            var b = Env.NewBundle().Args("true").Save();
            var r = other.Run("create", "--bundle", b.Dir, id);

            Assert.True(r.ExitCode != 0, r.ToString());
            Assert.Single(r.StderrLines);
            Assert.Contains("already holds processes", r.Stderr);
            Assert.Equal("running", Env.Status(id));
            Assert.Contains(pid, File.ReadAllLines(Path.Combine(CgroupDir(pid, "pids"), "cgroup.procs")).Select(int.Parse));
        }
        finally
        {
            other.Run("delete", "--force", id);
        }
    }

    [Fact]
    public void NestedCgroupsPath_IsMadeAndRemovedWhole_ByTheContainerThatMadeIt()
    {
        string top = "myruntime-it-" + TestEnv.RandomHex(4);
        IEnumerable<string> Tops() => Directory.EnumerateDirectories("/sys/fs/cgroup", top, new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4, IgnoreInaccessible = true });
        Bundle Nested(string leaf)
        {
            var b = Env.NewBundle().Args("sleep", "1000");
            b.Linux["cgroupsPath"] = $"{top}/pod/{leaf}";
            return b.Save();
        }

        string a = Env.NewId(), c = Env.NewId();
        Env.RunOk("create", "--bundle", Nested("a").Dir, a);
        Env.RunOk("create", "--bundle", Nested("c").Dir, c);
        int pid = Env.State(a)["pid"]!.GetValue<int>();
        Assert.EndsWith($"/{top}/pod/a", CgroupDir(pid, "memory"));

        Env.RunOk("delete", "--force", c); // c found the parents made: they are a's
        Assert.NotEmpty(Tops());
        Env.RunOk("delete", "--force", a);
        Assert.Empty(Tops());
    }
}
