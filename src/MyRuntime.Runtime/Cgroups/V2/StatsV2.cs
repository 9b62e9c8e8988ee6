namespace MyRuntime.Runtime.Cgroups.V2;

/// <summary>Usage read from a v2 cgroup: cpu.stat, memory.*, pids.*, io.stat.</summary>
public static class StatsV2
{
    public static CgroupStats Read(string dir)
    {
        var s = new CgroupStats();
        var cpu = StatFiles.Flat(dir, "cpu.stat");
        s.Cpu.Usage.Total = cpu.GetValueOrDefault("usage_usec") * 1000;
        s.Cpu.Usage.User = cpu.GetValueOrDefault("user_usec") * 1000;
        s.Cpu.Usage.Kernel = cpu.GetValueOrDefault("system_usec") * 1000;
        s.Cpu.Throttling.Periods = cpu.GetValueOrDefault("nr_periods");
        s.Cpu.Throttling.ThrottledPeriods = cpu.GetValueOrDefault("nr_throttled");
        s.Cpu.Throttling.ThrottledTime = cpu.GetValueOrDefault("throttled_usec") * 1000;

        s.Memory.Usage = new MemoryEntry
        {
            Usage = StatFiles.Number(dir, "memory.current"),
            Max = StatFiles.Number(dir, "memory.peak"),
            Limit = StatFiles.Number(dir, "memory.max"),
            Failcnt = (ulong)CgroupFiles.KeyedValue(dir, "memory.events", "max"),
        };
        s.Memory.Swap = new MemoryEntry { Usage = StatFiles.Number(dir, "memory.swap.current"), Limit = StatFiles.Number(dir, "memory.swap.max") };
        s.Memory.Raw = StatFiles.Flat(dir, "memory.stat");
        s.Memory.OomKills = (ulong)MemoryV2.OomKills(dir);

        s.Pids.Current = StatFiles.Number(dir, "pids.current");
        s.Pids.Limit = StatFiles.Number(dir, "pids.max") is var l && l == ulong.MaxValue ? 0 : l;

        foreach (string line in CgroupFiles.Read(dir, "io.stat").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "8:0 rbytes=1 wbytes=2 rios=3 ..."
            string[] f = line.Split(' ');
            string[] dev = f[0].Split(':');
            if (dev.Length != 2 || !ulong.TryParse(dev[0], out ulong major) || !ulong.TryParse(dev[1], out ulong minor))
            {
                continue;
            }

            foreach (string kv in f.Skip(1))
            {
                string[] p = kv.Split('=');
                if (p.Length == 2 && p[0] is "rbytes" or "wbytes" && ulong.TryParse(p[1], out ulong v))
                {
                    s.Blkio.IoServiceBytesRecursive.Add(new BlkioEntry { Major = major, Minor = minor, Op = p[0] == "rbytes" ? "Read" : "Write", Value = v });
                }
            }
        }

        return s;
    }
}
