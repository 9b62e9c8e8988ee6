using MyRuntime.Runtime;
using MyRuntime.Runtime.Cgroups;

namespace MyRuntime.Engine.Stats;

/// <summary>
/// Successive `docker stats` figures of one container. Each <see cref="Sample"/> reads the cgroup, the host's cpu
/// time and the container's network counters; CPU % covers the time since the previous call (0 on the first, so
/// a one-shot reading takes two samples about a second apart, as `docker stats --no-stream` does).
/// </summary>
public sealed class StatsSampler
{
    private readonly Func<CgroupStats> readCgroup;
    private readonly int initPid;
    private readonly ulong memTotal;
    private readonly int onlineCpus;
    private StatsSample? previous;

    /// <param name="readCgroup">Reads the container's cgroup figures.</param>
    /// <param name="initPid">The host pid of the container's init, whose network namespace is read (0: none).</param>
    public StatsSampler(Func<CgroupStats> readCgroup, int initPid)
    {
        this.readCgroup = readCgroup;
        this.initPid = initPid;
        memTotal = HostCounters.MemTotal();
        onlineCpus = HostCounters.OnlineCpus();
    }

    /// <summary>A sampler over the runtime's container runtimeId.</summary>
    public static StatsSampler ForContainer(RuntimeContext ctx, string runtimeId, int initPid)
    {
        var operations = new MyRuntime.Runtime.Container.Operations(ctx);
        return new StatsSampler(() => operations.Stats(runtimeId), initPid);
    }

    /// <summary>The container's init process this sampler reads the network counters of.</summary>
    public int InitPid => initPid;

    /// <summary>The last sample read, if any.</summary>
    public StatsSample? Last => previous;

    /// <summary>Reads the counters now and returns the figures against the previous call.</summary>
    public StatsFigures Sample()
    {
        CgroupStats cgroup;
        try
        {
            cgroup = readCgroup();
        }
        catch (Exception e) when (e is RuntimeException or MyRuntime.Linux.LinuxException or IOException)
        {
            throw new EngineException($"stats: {e.Message}", e);
        }

        var current = new StatsSample(cgroup, HostCounters.SystemCpuNs(), onlineCpus, memTotal, HostCounters.Network(initPid));
        var figures = StatsFigures.Compute(previous, current);
        previous = current;
        return figures;
    }
}
