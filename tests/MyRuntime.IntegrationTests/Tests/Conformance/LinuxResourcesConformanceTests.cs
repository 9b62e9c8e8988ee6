using System.Globalization;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests.Conformance;

/// <summary>
/// config-linux.md "Control groups" fields the Cgroup* test classes leave out: memory reservation,
/// swappiness and disableOOMKiller, cpu shares, realtime period and cpuset cpus/mems, read back from
/// the container's own cgroup files.
/// </summary>
public sealed class LinuxResourcesConformanceTests : ConformanceTest
{
    [Fact]
    public void MemoryReservationSwappinessAndOomKiller_LandInTheCgroup()
    {
        var bundle = CgroupSupport.WithResources(Env.NewBundle(),
            """{ "memory": { "limit": 67108864, "reservation": 33554432, "swappiness": 7, "disableOOMKiller": true } }""");
        var (_, pid) = Env.CreateAndStart(bundle, "sleep", "1000");

        var dir = CgroupSupport.CgroupDir(pid, "memory");
        if (CgroupSupport.V2)
        {
            Assert.Equal("33554432", Read(dir, "memory.low"));
        }
        else
        {
            Assert.Equal("33554432", Read(dir, "memory.soft_limit_in_bytes"));
            Assert.Equal("7", Read(dir, "memory.swappiness"));
            Assert.Contains("oom_kill_disable 1", File.ReadAllLines(Path.Combine(dir, "memory.oom_control")));
        }
    }

    [Fact]
    public void CpuSharesAndCpuset_LandInTheCgroup()
    {
        var bundle = CgroupSupport.WithResources(Env.NewBundle(), """{ "cpu": { "shares": 512, "cpus": "0", "mems": "0" } }""");
        var (_, pid) = Env.CreateAndStart(bundle, "sleep", "1000");

        var cpu = CgroupSupport.CgroupDir(pid, "cpu");
        var cpuset = CgroupSupport.CgroupDir(pid, "cpuset");
        Assert.Equal(CgroupSupport.V2 ? (1 + ((512 - 2) * 9999 / 262142)).ToString(CultureInfo.InvariantCulture) : "512",
            Read(cpu, CgroupSupport.V2 ? "cpu.weight" : "cpu.shares"));
        Assert.Equal("0", Read(cpuset, "cpuset.cpus"));
        Assert.Equal("0", Read(cpuset, "cpuset.mems"));
        Assert.Equal("0", File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))
            .Split(':')[1].Trim());
    }

    private static string Read(string dir, string file) => File.ReadAllText(Path.Combine(dir, file)).Trim();
}
