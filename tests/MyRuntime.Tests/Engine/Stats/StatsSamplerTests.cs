using MyRuntime.Engine;
using MyRuntime.Engine.Stats;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Cgroups;

namespace MyRuntime.Tests.Engine.Stats;

public class StatsSamplerTests
{
    [Fact]
    public void Sample_CpuComesFromTheIntervalSinceThePreviousCall()
    {
        var stats = new CgroupStats { Memory = new MemoryStats { Usage = new MemoryEntry { Usage = 1000, Limit = ulong.MaxValue } } };
        var sampler = new StatsSampler(() => stats, Environment.ProcessId);

        var first = sampler.Sample();
        stats = new CgroupStats { Cpu = new CpuStats { Usage = new CpuUsage { Total = 50_000_000 } }, Memory = stats.Memory };
        Thread.Sleep(100);
        var second = sampler.Sample();

        Assert.Equal(0, first.CpuPercent);
        Assert.True(second.CpuPercent > 0, $"cpu {second.CpuPercent}");
        Assert.Equal(HostCounters.MemTotal(), second.MemoryLimit);
        Assert.Equal(HostCounters.Network(Environment.ProcessId), new NetworkCounters(second.NetRx, second.NetTx));
        Assert.NotNull(sampler.Last);
    }

    [Fact]
    public void Sample_RuntimeError_IsAnEngineError()
    {
        var sampler = new StatsSampler(() => throw new RuntimeException("container x has no cgroup"), 0);

        var e = Assert.Throws<EngineException>(sampler.Sample);
        Assert.Equal("stats: container x has no cgroup", e.Message);
    }
}
