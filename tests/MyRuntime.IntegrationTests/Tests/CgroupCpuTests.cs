using System.Diagnostics;
using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>Tests that measure CPU time run alone: other tests' containers would compete for the two cores.</summary>
[CollectionDefinition(nameof(SerialCpuCollection), DisableParallelization = true)]
public sealed class SerialCpuCollection;

/// <summary>CPU limits measured, not only written: a busy loop under a quota of half a core.</summary>
[Collection(nameof(SerialCpuCollection))]
public sealed class CgroupCpuTests : IntegrationTest
{
    // The highest weight, so that the quota is all that holds the loop back even while the rest of the machine is busy.
    private const string Busy = """{"cpu":{"quota":50000,"period":100000,"shares":262144}""";

    /// <summary>Nanoseconds of CPU the cgroup has used, from the kernel's own accounting.</summary>
    private static ulong CpuUsageNs(int pid)
    {
        if (CgroupSupport.V2)
        {
            string stat = File.ReadAllText(Path.Combine(CgroupSupport.CgroupDir(pid, "cpu"), "cpu.stat"));
            string line = stat.Split('\n').First(l => l.StartsWith("usage_usec ", StringComparison.Ordinal));
            return ulong.Parse(line["usage_usec ".Length..], System.Globalization.CultureInfo.InvariantCulture) * 1000;
        }

        return ulong.Parse(File.ReadAllText(Path.Combine(CgroupSupport.CgroupDir(pid, "cpuacct"), "cpuacct.usage")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void CpuQuota_HalfACore_HoldsABusyLoopTo50Percent_AndEventsStatsShowTheThrottling()
    {
        var b = CgroupSupport.WithResources(Env.NewBundle(), Busy + ""","memory":{"limit":67108864}}""");
        var (id, pid) = Env.CreateAndStart(b, "sh", "-c", "while true; do :; done");

        Thread.Sleep(300); // past the first period, whose budget is spent from the start
        ulong before = CpuUsageNs(pid);
        var clock = Stopwatch.StartNew();
        Thread.Sleep(3000);
        ulong after = CpuUsageNs(pid);
        double share = (after - before) / 1e9 / clock.Elapsed.TotalSeconds;
        Assert.InRange(share, 0.40, 0.60); // 50% ± 10 points of one core

        var stats = JsonNode.Parse(Env.RunOk("events", "--stats", id).Stdout)!["data"]!;
        Assert.True(stats["cpu"]!["throttling"]!["throttledPeriods"]!.GetValue<ulong>() >= 20, stats.ToJsonString());
        Assert.True(stats["cpu"]!["usage"]!["total"]!.GetValue<ulong>() >= after, stats.ToJsonString());
        Assert.Equal(67108864UL, stats["memory"]!["usage"]!["limit"]!.GetValue<ulong>());
        Assert.True(stats["pids"]!["current"]!.GetValue<ulong>() >= 1);

        Env.RunOk("delete", "--force", id);
        var gone = Env.Run("events", "--stats", id);
        Assert.True(gone.ExitCode != 0, gone.ToString());
        Assert.Empty(CgroupSupport.CgroupDirsNamed(id));
    }

    [Fact]
    public void CpuQuota_RaisedByUpdate_LetsTheLoopUseMore()
    {
        var b = CgroupSupport.WithResources(Env.NewBundle(), """{"cpu":{"quota":20000,"period":100000,"shares":262144}}""");
        var (id, pid) = Env.CreateAndStart(b, "sh", "-c", "while true; do :; done");

        double Share()
        {
            Thread.Sleep(200);
            ulong u0 = CpuUsageNs(pid);
            var clock = Stopwatch.StartNew();
            Thread.Sleep(2000);
            return (CpuUsageNs(pid) - u0) / 1e9 / clock.Elapsed.TotalSeconds;
        }

        Assert.InRange(Share(), 0.12, 0.28);
        Env.RunOk("update", "--cpu-quota", "60000", id);
        Assert.InRange(Share(), 0.50, 0.70);
        Env.RunOk("delete", "--force", id);
    }
}
