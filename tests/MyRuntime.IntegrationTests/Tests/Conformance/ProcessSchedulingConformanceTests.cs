using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests.Conformance;

/// <summary>
/// config.md "process": scheduler (sched_setattr), ioPriority (ioprio_set) and execCPUAffinity, read back from
/// what the process itself sees in /proc and from busybox's ionice; bad values fail with one line, leaving nothing.
/// </summary>
public sealed class ProcessSchedulingConformanceTests : ConformanceTest
{
    private const string NotInRunc11 = "runc 1.1 ignores process.scheduler, ioPriority and execCPUAffinity (runtime-spec 1.2 fields)";

    [NotOnRuncFact(NotInRunc11)]
    public void Scheduler_BatchWithNice_IsThePolicyAndNiceTheProgramRunsWith()
    {
        var bundle = Env.NewBundle().Args("cat", "/proc/self/stat");
        bundle.Process["scheduler"] = new JsonObject { ["policy"] = "SCHED_BATCH", ["nice"] = 7 };

        var stat = StatFields(RunOk(bundle));

        Assert.Equal("7", stat[19]); // nice
        Assert.Equal("3", stat[41]); // policy: SCHED_BATCH
    }

    [NotOnRuncFact(NotInRunc11)]
    public void Scheduler_NegativeNice_ResetOnFork_TheProgramsChildrenGetNiceZero()
    {
        var bundle = Env.NewBundle().Shell("cat /proc/$$/stat; cat /proc/self/stat; true"); // true: sh would exec the last command itself
        bundle.Process["scheduler"] = new JsonObject { ["policy"] = "SCHED_OTHER", ["nice"] = -5, ["flags"] = new JsonArray("SCHED_FLAG_RESET_ON_FORK") };

        var r = RunOk(bundle);

        Assert.Equal("-5", StatFields(r.StdoutLines[0])[19]); // the shell
        Assert.Equal("0", StatFields(r.StdoutLines[1])[19]); // its child, cat: a negative nice is reset on fork
    }

    [NotOnRuncFact(NotInRunc11)]
    public void Scheduler_FifoWithPriority_IsTheRealTimePolicyAndPriority()
    {
        var bundle = Env.NewBundle().Args("cat", "/proc/self/stat");
        bundle.Process["scheduler"] = new JsonObject { ["policy"] = "SCHED_FIFO", ["priority"] = 10 };
        if (File.Exists("/sys/fs/cgroup/cpu/cpu.rt_runtime_us"))
        {
            // v1 with real-time group scheduling: a new cgroup has no real-time time until it is given some.
            CgroupSupport.WithResources(bundle, """{ "cpu": { "realtimeRuntime": 10000, "realtimePeriod": 1000000 } }""");
        }

        var stat = StatFields(RunOk(bundle));

        Assert.Equal("10", stat[40]); // rt_priority
        Assert.Equal("1", stat[41]); // policy: SCHED_FIFO
    }

    [NotOnRuncFact(NotInRunc11)]
    public void Scheduler_IdlePolicy_IsInheritedByTheProgramsChildren()
    {
        var bundle = Env.NewBundle().Shell("cat /proc/self/stat");
        bundle.Process["scheduler"] = new JsonObject { ["policy"] = "SCHED_IDLE" };

        Assert.Equal("5", StatFields(RunOk(bundle))[41]); // SCHED_IDLE
    }

    [NotOnRuncFact(NotInRunc11)]
    public void IoPriority_ClassAndLevel_AreTheProcesses()
    {
        var bundle = Env.NewBundle().Args("ionice", "-p", "1");
        bundle.Process["ioPriority"] = new JsonObject { ["class"] = "IOPRIO_CLASS_BE", ["priority"] = 6 };

        var r = RunOk(bundle);

        Assert.Equal(new[] { "best-effort: prio 6" }, r.StdoutLines);
    }

    [NotOnRuncFact(NotInRunc11)]
    public void IoPriority_IdleClass_IsInheritedByChildren()
    {
        var bundle = Env.NewBundle().Shell("ionice -p $$; ionice -p 1");
        bundle.Process["ioPriority"] = new JsonObject { ["class"] = "IOPRIO_CLASS_IDLE", ["priority"] = 0 };

        var r = RunOk(bundle);

        Assert.Equal(new[] { "idle", "idle" }, r.StdoutLines);
    }

    [NotOnRuncFact(NotInRunc11)]
    public void ExecCpuAffinity_Final_IsTheExecdProcesssAffinity_NotTheInits()
    {
        int[] cpus = OnlineCpus();
        string last = cpus[^1].ToString(System.Globalization.CultureInfo.InvariantCulture);
        var bundle = Env.NewBundle();
        bundle.Process["execCPUAffinity"] = new JsonObject { ["final"] = last }; // not applicable to init
        var (id, pid) = Env.CreateAndStart(bundle, "sleep", "1000");
        var process = ExecProcess("grep", "Cpus_allowed_list", "/proc/self/status");
        process["execCPUAffinity"] = new JsonObject { ["initial"] = cpus[0].ToString(System.Globalization.CultureInfo.InvariantCulture), ["final"] = last };

        var r = Exec(id, process);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("Cpus_allowed_list:\t" + last, r.StdoutLines.Single());
        if (cpus.Length > 1)
        {
            Assert.NotEqual(new[] { last }, HostProcess.StatusField(pid, "Cpus_allowed_list"));
        }
    }

    [NotOnRuncFact(NotInRunc11)]
    public void ExecCpuAffinity_InitialOnAnOfflineCpu_FailsTheExec_WithAMessage()
    {
        var (id, pid) = Env.CreateAndStart(Env.NewBundle(), "sleep", "1000");
        var process = ExecProcess("true");
        process["execCPUAffinity"] = new JsonObject { ["initial"] = "1000" };

        var r = Exec(id, process);

        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains(r.StderrLines, l => l.Contains("initial CPU affinity", StringComparison.Ordinal));
        Assert.Equal("running", Env.Status(id));
        Env.AssertNoLeftoverProcesses(pid);
    }

    [NotOnRuncFact(NotInRunc11)]
    public void BadSchedulingValues_FailCreate_WithOneLine_LeavingNothing()
    {
        var cases = new (string Field, JsonNode Value, string Message)[]
        {
            ("scheduler", new JsonObject { ["policy"] = "SCHED_FAST" }, "process.scheduler.policy 'SCHED_FAST'"),
            ("scheduler", new JsonObject { ["policy"] = "SCHED_OTHER", ["flags"] = new JsonArray("SCHED_FLAG_NOPE") }, "unknown flag 'SCHED_FLAG_NOPE'"),
            ("scheduler", new JsonObject { ["policy"] = "SCHED_OTHER", ["nice"] = 40 }, "process.scheduler.nice 40"),
            ("scheduler", new JsonObject { ["policy"] = "SCHED_FIFO", ["priority"] = 1000 }, "set the scheduler"), // the kernel's EINVAL
            ("ioPriority", new JsonObject { ["class"] = "IOPRIO_CLASS_BE", ["priority"] = 8 }, "process.ioPriority"),
            ("execCPUAffinity", new JsonObject { ["final"] = "3-1" }, "process.execCPUAffinity.final '3-1'"),
        };
        foreach (var (field, value, message) in cases)
        {
            var bundle = Env.NewBundle().Args("true");
            bundle.Process[field] = value;
            bundle.Save();

            var r = Env.Runtime.Run("create", "--bundle", bundle.Dir, Env.NewId());

            Assert.True(r.ExitCode != 0, r.ToString());
            Assert.Contains(r.StderrLines, l => l.Contains(message, StringComparison.Ordinal));
            Assert.Empty(Env.StateEntries());
            Env.AssertNoLeftoverProcesses();
        }
    }

    private ProcResult Exec(string id, JsonObject process)
    {
        var file = Path.Combine(Env.TempDir, "process-" + TestEnv.RandomHex(3) + ".json");
        File.WriteAllText(file, process.ToJsonString());
        return Env.Runtime.Run("exec", "--process", file, id);
    }

    private static JsonObject ExecProcess(params string[] args) => new()
    {
        ["user"] = new JsonObject { ["uid"] = 0, ["gid"] = 0 },
        ["args"] = new JsonArray([.. args.Select(a => (JsonNode)a)]),
        ["env"] = new JsonArray("PATH=/usr/sbin:/usr/bin:/sbin:/bin"),
        ["cwd"] = "/",
    };

    private static int[] OnlineCpus()
    {
        var cpus = new List<int>();
        foreach (string part in File.ReadAllText("/sys/devices/system/cpu/online").Trim().Split(','))
        {
            string[] range = part.Split('-');
            for (int c = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture); c <= int.Parse(range[^1], System.Globalization.CultureInfo.InvariantCulture); c++)
            {
                cpus.Add(c);
            }
        }

        return [.. cpus];
    }

    /// <summary>/proc/PID/stat split so that index N is field N of proc(5) (1-based; comm has no spaces here).</summary>
    private static string[] StatFields(ProcResult r) => StatFields(r.StdoutLines.Single());

    private static string[] StatFields(string line) => [string.Empty, .. line.Split(' ')];
}
