using MyRuntime.Runtime.Cgroups;

namespace MyRuntime.Engine.Stats;

/// <summary>The figures of one `docker stats` row, computed as the Docker CLI computes them.</summary>
public sealed record StatsFigures(
    double CpuPercent,
    ulong MemoryUsage,
    ulong MemoryLimit,
    double MemoryPercent,
    ulong NetRx,
    ulong NetTx,
    ulong BlockRead,
    ulong BlockWrite,
    ulong Pids)
{
    /// <summary>The figures of current, with CPU % over the interval since previous (0 without one).</summary>
    public static StatsFigures Compute(StatsSample? previous, StatsSample current)
    {
        double cpu = previous is null ? 0 : CpuPercentBetween(previous, current);
        ulong usage = MemoryUsageWithoutCache(current.Cgroup.Memory);
        ulong limit = MemoryLimitOf(current.Cgroup.Memory.Usage.Limit, current.HostMemTotal);
        double memPercent = limit == 0 ? 0 : (double)usage / limit * 100.0;
        var (read, write) = BlockIo(current.Cgroup.Blkio);
        return new StatsFigures(cpu, usage, limit, memPercent, current.Network.RxBytes, current.Network.TxBytes, read, write, current.Cgroup.Pids.Current);
    }

    /// <summary>Container cpu time over host cpu time in the interval, times the online cpus, in percent.</summary>
    public static double CpuPercentBetween(StatsSample previous, StatsSample current)
    {
        double cpuDelta = (double)current.Cgroup.Cpu.Usage.Total - previous.Cgroup.Cpu.Usage.Total;
        double systemDelta = (double)current.SystemCpuNs - previous.SystemCpuNs;
        double cpus = current.OnlineCpus > 0 ? current.OnlineCpus : current.Cgroup.Cpu.Usage.Percpu?.Count ?? 0;
        return systemDelta > 0 && cpuDelta > 0 ? cpuDelta / systemDelta * cpus * 100.0 : 0;
    }

    /// <summary>Usage minus the inactive page cache: total_inactive_file on cgroup v1, else inactive_file, when
    /// below the usage.</summary>
    public static ulong MemoryUsageWithoutCache(MemoryStats memory)
    {
        ulong usage = memory.Usage.Usage;
        if (memory.Raw.TryGetValue("total_inactive_file", out ulong v1) && v1 < usage)
        {
            return usage - v1;
        }

        if (memory.Raw.TryGetValue("inactive_file", out ulong v2) && v2 < usage)
        {
            return usage - v2;
        }

        return usage;
    }

    /// <summary>The cgroup's limit, or the host's memory when the limit is above it (unlimited).</summary>
    public static ulong MemoryLimitOf(ulong cgroupLimit, ulong hostMemTotal) =>
        hostMemTotal > 0 && (cgroupLimit == 0 || cgroupLimit > hostMemTotal) ? hostMemTotal : cgroupLimit;

    /// <summary>Bytes read and written: the io_service_bytes entries whose op starts with r or w.</summary>
    public static (ulong Read, ulong Write) BlockIo(BlkioStats blkio)
    {
        ulong read = 0, write = 0;
        foreach (var e in blkio.IoServiceBytesRecursive)
        {
            if (e.Op.Length == 0)
            {
                continue;
            }

            switch (e.Op[0])
            {
                case 'r' or 'R':
                    read += e.Value;
                    break;
                case 'w' or 'W':
                    write += e.Value;
                    break;
            }
        }

        return (read, write);
    }
}
