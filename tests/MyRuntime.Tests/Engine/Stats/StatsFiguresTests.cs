using MyRuntime.Engine.Stats;
using MyRuntime.Runtime.Cgroups;

namespace MyRuntime.Tests.Engine.Stats;

public class StatsFiguresTests
{
    private const ulong GiB = 1UL << 30;

    private static StatsSample Sample(ulong cpuNs, ulong systemNs, ulong usage = 0, ulong limit = ulong.MaxValue, Dictionary<string, ulong>? raw = null, int cpus = 4) =>
        new(
            new CgroupStats
            {
                Cpu = new CpuStats { Usage = new CpuUsage { Total = cpuNs } },
                Memory = new MemoryStats { Usage = new MemoryEntry { Usage = usage, Limit = limit }, Raw = raw ?? [] },
                Pids = new PidsStats { Current = 3 },
                Blkio = new BlkioStats
                {
                    IoServiceBytesRecursive =
                    [
                        new BlkioEntry { Major = 8, Op = "Read", Value = 1000 },
                        new BlkioEntry { Major = 8, Op = "Write", Value = 200 },
                        new BlkioEntry { Major = 8, Op = "read", Value = 24 },
                        new BlkioEntry { Major = 8, Op = "Sync", Value = 999 },
                        new BlkioEntry { Major = 8, Op = "Total", Value = 999 },
                        new BlkioEntry { Major = 8, Op = "", Value = 999 },
                    ],
                },
            },
            systemNs,
            cpus,
            8 * GiB,
            new NetworkCounters(1500, 700));

    [Fact]
    public void Cpu_IsContainerDeltaOverSystemDeltaTimesCpus()
    {
        // 0.5 s of cpu while the host's 4 cpus counted 4 s: half of one cpu = 50 %.
        var figures = StatsFigures.Compute(Sample(1_000_000_000, 100_000_000_000), Sample(1_500_000_000, 104_000_000_000));

        Assert.Equal(50.0, figures.CpuPercent, 6);
    }

    [Fact]
    public void Cpu_FirstSampleOrNoProgress_IsZero()
    {
        Assert.Equal(0, StatsFigures.Compute(null, Sample(5, 10)).CpuPercent);
        Assert.Equal(0, StatsFigures.Compute(Sample(5, 10), Sample(5, 20)).CpuPercent);
        Assert.Equal(0, StatsFigures.Compute(Sample(5, 10), Sample(9, 10)).CpuPercent);
    }

    [Fact]
    public void Cpu_WithoutOnlineCount_UsesThePerCpuList()
    {
        var before = Sample(0, 0, cpus: 0);
        var after = Sample(1_000, 4_000, cpus: 0);
        after.Cgroup.Cpu.Usage.Percpu = [1, 2];

        Assert.Equal(50.0, StatsFigures.CpuPercentBetween(before, after), 6);
    }

    [Fact]
    public void Memory_V2_SubtractsInactiveFile()
    {
        var f = StatsFigures.Compute(null, Sample(0, 0, usage: 300 * 1024 * 1024, limit: 1 * GiB, raw: new() { ["inactive_file"] = 100 * 1024 * 1024 }));

        Assert.Equal(200UL * 1024 * 1024, f.MemoryUsage);
        Assert.Equal(GiB, f.MemoryLimit);
        Assert.Equal(200.0 / 1024 * 100, f.MemoryPercent, 6);
    }

    [Fact]
    public void Memory_V1_SubtractsTotalInactiveFile()
    {
        var raw = new Dictionary<string, ulong> { ["total_inactive_file"] = 40, ["inactive_file"] = 10 };

        Assert.Equal(60UL, StatsFigures.Compute(null, Sample(0, 0, usage: 100, raw: raw)).MemoryUsage);
    }

    [Fact]
    public void Memory_InactiveNotBelowUsage_IsNotSubtracted()
    {
        var raw = new Dictionary<string, ulong> { ["total_inactive_file"] = 500, ["inactive_file"] = 500 };

        Assert.Equal(100UL, StatsFigures.Compute(null, Sample(0, 0, usage: 100, raw: raw)).MemoryUsage);
    }

    [Fact]
    public void Memory_Unlimited_IsTheHostsMemory()
    {
        Assert.Equal(8 * GiB, StatsFigures.Compute(null, Sample(0, 0, limit: ulong.MaxValue)).MemoryLimit);
        Assert.Equal(8 * GiB, StatsFigures.Compute(null, Sample(0, 0, limit: 9223372036854771712)).MemoryLimit);
        Assert.Equal(8 * GiB, StatsFigures.MemoryLimitOf(0, 8 * GiB));
        Assert.Equal(GiB, StatsFigures.MemoryLimitOf(GiB, 0));
    }

    [Fact]
    public void BlockIo_NetworkAndPids()
    {
        var f = StatsFigures.Compute(null, Sample(0, 0));

        Assert.Equal(1024UL, f.BlockRead);
        Assert.Equal(200UL, f.BlockWrite);
        Assert.Equal(1500UL, f.NetRx);
        Assert.Equal(700UL, f.NetTx);
        Assert.Equal(3UL, f.Pids);
    }
}
