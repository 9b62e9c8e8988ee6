namespace MyRuntime.Runtime.Cgroups.V1;

/// <summary>Usage read from the v1 hierarchies: cpuacct, cpu, memory, pids, blkio.</summary>
public static class StatsV1
{
    private const ulong NanosPerTick = 10_000_000; // USER_HZ 100

    public static CgroupStats Read(Func<string, string?> dirOf)
    {
        var s = new CgroupStats();
        if (dirOf("cpuacct") is { } acct)
        {
            s.Cpu.Usage.Total = StatFiles.Number(acct, "cpuacct.usage");
            s.Cpu.Usage.Percpu = [.. CgroupFiles.Read(acct, "cpuacct.usage_percpu").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => ulong.TryParse(v, out ulong n) ? n : 0)];
            var stat = StatFiles.Flat(acct, "cpuacct.stat");
            s.Cpu.Usage.User = stat.GetValueOrDefault("user") * NanosPerTick;
            s.Cpu.Usage.Kernel = stat.GetValueOrDefault("system") * NanosPerTick;
        }

        if (dirOf("cpu") is { } cpu)
        {
            var stat = StatFiles.Flat(cpu, "cpu.stat");
            s.Cpu.Throttling.Periods = stat.GetValueOrDefault("nr_periods");
            s.Cpu.Throttling.ThrottledPeriods = stat.GetValueOrDefault("nr_throttled");
            s.Cpu.Throttling.ThrottledTime = stat.GetValueOrDefault("throttled_time");
        }

        if (dirOf("memory") is { } mem)
        {
            s.Memory.Usage = Entry(mem, "memory");
            s.Memory.Swap = Entry(mem, "memory.memsw");
            s.Memory.Raw = StatFiles.Flat(mem, "memory.stat");
            s.Memory.OomKills = (ulong)MemoryV1.OomKills(mem);
        }

        if (dirOf("pids") is { } pids)
        {
            s.Pids.Current = StatFiles.Number(pids, "pids.current");
            s.Pids.Limit = StatFiles.Number(pids, "pids.max") is var l && l == ulong.MaxValue ? 0 : l;
        }

        if (dirOf("blkio") is { } blkio)
        {
            foreach (string line in CgroupFiles.Read(blkio, "blkio.throttle.io_service_bytes_recursive").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                // "8:0 Read 4096"
                string[] f = line.Split(' ');
                string[] dev = f[0].Split(':');
                if (f.Length == 3 && dev.Length == 2 && ulong.TryParse(f[2], out ulong v))
                {
                    s.Blkio.IoServiceBytesRecursive.Add(new BlkioEntry { Major = ulong.Parse(dev[0]), Minor = ulong.Parse(dev[1]), Op = f[1], Value = v });
                }
            }
        }

        return s;
    }

    private static MemoryEntry Entry(string dir, string prefix) => new()
    {
        Usage = StatFiles.Number(dir, $"{prefix}.usage_in_bytes"),
        Max = StatFiles.Number(dir, $"{prefix}.max_usage_in_bytes"),
        Limit = StatFiles.Number(dir, $"{prefix}.limit_in_bytes"),
        Failcnt = StatFiles.Number(dir, $"{prefix}.failcnt"),
    };
}
