using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>
/// config-linux.md resources the other Cgroup* classes leave out: cpu.idle and burst, memory.useHierarchy and
/// checkBeforeUpdate, network classID/priorities. Read back from the container's cgroup on the layout this host runs
/// (a Cgroup* class: it runs in the cgroup v2 guest too), or refused with one line, leaving nothing.
/// </summary>
public sealed class CgroupSpecFieldsTests : IntegrationTest
{
    private const string NotInRunc11 = "runc 1.1 ignores cpu.idle and cpu.burst (runtime-spec 1.2 fields)";

    private static bool V2 => CgroupSupport.V2;

    [NotOnRuncFact(NotInRunc11)]
    public void CpuBurst_LandsInTheCgroup()
    {
        var b = CgroupSupport.WithResources(Env.NewBundle(), """{"cpu":{"quota":50000,"period":100000,"burst":20000}}""");
        string file = V2 ? "cpu.max.burst" : "cpu.cfs_burst_us";
        if (!V2 && !KernelHasV1CpuFile(file))
        {
            AssertCreateRefused(b, "linux.resources.cpu.burst");
            return;
        }

        var (_, pid) = Env.CreateAndStart(b, "sleep", "1000");

        Assert.Equal("20000", Read(pid, "cpu", file));
    }

    [NotOnRuncFact(NotInRunc11)]
    public void CpuIdle_LandsInTheCgroup_AndCanBeUpdated()
    {
        var b = CgroupSupport.WithResources(Env.NewBundle(), """{"cpu":{"idle":1}}""");
        if (!V2 && !KernelHasV1CpuFile("cpu.idle"))
        {
            AssertCreateRefused(b, "linux.resources.cpu.idle");
            return;
        }

        var (id, pid) = Env.CreateAndStart(b, "sleep", "1000");
        Assert.Equal("1", Read(pid, "cpu", "cpu.idle"));

        var r = Env.Runtime.Run(["update", "--resources", "-", id], stdin: """{"cpu":{"idle":0}}""");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("0", Read(pid, "cpu", "cpu.idle"));
    }

    [Fact]
    public void MemoryUseHierarchy_True_IsTheCgroupsSetting()
    {
        var b = CgroupSupport.WithResources(Env.NewBundle(), """{"memory":{"limit":67108864,"useHierarchy":true}}""");

        var (_, pid) = Env.CreateAndStart(b, "sleep", "1000");

        if (!V2)
        {
            Assert.Equal("1", Read(pid, "memory", "memory.use_hierarchy"));
        }
    }

    [NotOnRuncFact("runc 1.1 ignores a false useHierarchy the kernel no longer allows")]
    public void MemoryUseHierarchy_False_IsRefused_TheKernelIsAlwaysHierarchical()
    {
        // cgroup v2, and v1 since Linux 5.16 (memory.use_hierarchy can no longer be cleared).
        var b = CgroupSupport.WithResources(Env.NewBundle(), """{"memory":{"useHierarchy":false}}""");

        AssertCreateRefused(b, V2 ? "useHierarchy" : "memory.use_hierarchy");
    }

    [NotOnRuncFact("runc 1.1 has no memory.checkBeforeUpdate")]
    public void MemoryCheckBeforeUpdate_ALimitBelowTheUsage_IsRefused_AHigherOneApplied()
    {
        var b = CgroupSupport.WithResources(Env.NewBundle(), """{"memory":{"limit":134217728,"checkBeforeUpdate":true}}""")
            .AddMount("/mnt", "tmpfs", "tmpfs", "size=64m");
        var (id, pid) = Env.CreateAndStart(b, "sh", "-c", "dd if=/dev/zero of=/mnt/f bs=1M count=24 2>/dev/null; echo > /mnt/done; sleep 1000");
        string limitFile = V2 ? "memory.max" : "memory.limit_in_bytes";
        Wait.Until(() => File.Exists($"/proc/{pid}/root/mnt/done"), TestEnv.ShortTimeout, "the container to fill its tmpfs");

        var low = Env.Run("update", "--memory", "16m", id);

        Assert.True(low.ExitCode != 0, low.ToString());
        Assert.Single(low.StderrLines);
        Assert.Contains("below the container's current usage", low.Stderr);
        Assert.Equal("134217728", Read(pid, "memory", limitFile));
        Assert.Equal("running", Env.Status(id));

        Env.RunOk("update", "--memory", "96m", id);
        Assert.Equal("100663296", Read(pid, "memory", limitFile));
    }

    [NotOnRuncFact("runc refuses them here too, with its own message")]
    public void NetworkClassIdAndPriorities_LandInTheirHierarchies_OrAreRefused()
    {
        var b = CgroupSupport.WithResources(Env.NewBundle(), """{"network":{"classID":1048577,"priorities":[{"name":"lo","priority":5}]}}""");
        bool netCls = !V2 && File.ReadAllText("/proc/self/mountinfo").Contains("net_cls", StringComparison.Ordinal);
        bool netPrio = !V2 && File.ReadAllText("/proc/self/mountinfo").Contains("net_prio", StringComparison.Ordinal);
        if (!netCls || !netPrio)
        {
            AssertCreateRefused(b, "linux.resources.network");
            return;
        }

        var (_, pid) = Env.CreateAndStart(b, "sleep", "1000");

        Assert.Equal("1048577", Read(pid, "net_cls", "net_cls.classid"));
        Assert.Contains("lo 5", File.ReadAllLines(Path.Combine(CgroupSupport.CgroupDir(pid, "net_prio"), "net_prio.ifpriomap")));
    }

    private void AssertCreateRefused(Bundle b, string mentioned)
    {
        CgroupSupport.AssertCreateRefused(Env, b, mentioned);
        Env.AssertNoLeftoverProcesses();
    }

    private static bool KernelHasV1CpuFile(string file) => File.Exists(Path.Combine(CgroupSupport.CgroupDir(Environment.ProcessId, "cpu"), file));

    private static string Read(int pid, string controller, string file) =>
        File.ReadAllText(Path.Combine(CgroupSupport.CgroupDir(pid, controller), file)).Trim();
}
