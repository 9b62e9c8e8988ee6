namespace MyRuntime.Runtime.Cgroups;

/// <summary>A container's resource usage, shaped as runc's `events --stats` data (which containerd reads).</summary>
public sealed class CgroupStats
{
    public CpuStats Cpu { get; set; } = new();

    public MemoryStats Memory { get; set; } = new();

    public PidsStats Pids { get; set; } = new();

    public BlkioStats Blkio { get; set; } = new();

    /// <summary>By page size ("2MB"), where the container has a hugetlb cgroup.</summary>
    public Dictionary<string, HugetlbStats> Hugetlb { get; set; } = [];
}

public sealed class HugetlbStats
{
    public ulong Usage { get; set; }

    public ulong MaxUsage { get; set; }

    public ulong Failcnt { get; set; }
}

public sealed class CpuStats
{
    public CpuUsage Usage { get; set; } = new();

    public CpuThrottling Throttling { get; set; } = new();
}

public sealed class CpuUsage
{
    /// <summary>Nanoseconds.</summary>
    public ulong Total { get; set; }

    public List<ulong>? Percpu { get; set; }

    public ulong Kernel { get; set; }

    public ulong User { get; set; }
}

public sealed class CpuThrottling
{
    public ulong Periods { get; set; }

    public ulong ThrottledPeriods { get; set; }

    /// <summary>Nanoseconds.</summary>
    public ulong ThrottledTime { get; set; }
}

public sealed class MemoryStats
{
    public MemoryEntry Usage { get; set; } = new();

    public MemoryEntry Swap { get; set; } = new();

    public Dictionary<string, ulong> Raw { get; set; } = [];

    public ulong OomKills { get; set; }
}

public sealed class MemoryEntry
{
    public ulong Limit { get; set; }

    public ulong Usage { get; set; }

    public ulong Max { get; set; }

    public ulong Failcnt { get; set; }
}

public sealed class PidsStats
{
    public ulong Current { get; set; }

    public ulong Limit { get; set; }
}

public sealed class BlkioStats
{
    public List<BlkioEntry> IoServiceBytesRecursive { get; set; } = [];
}

public sealed class BlkioEntry
{
    public ulong Major { get; set; }

    public ulong Minor { get; set; }

    public string Op { get; set; } = string.Empty;

    public ulong Value { get; set; }
}

/// <summary>One line of `events`: {"type":"stats"|"oom","id":ID,"data":...}.</summary>
public sealed class CgroupEvent
{
    public string Type { get; set; } = "stats";

    public string Id { get; set; } = string.Empty;

    public CgroupStats? Data { get; set; }
}

/// <summary>Parsing helpers for the numbers in control files ("max" is no limit).</summary>
internal static class StatFiles
{
    public static ulong Number(string dir, string file)
    {
        string text = CgroupFiles.Read(dir, file);
        return text == "max" ? ulong.MaxValue : ulong.TryParse(text, out ulong v) ? v : 0;
    }

    public static Dictionary<string, ulong> Flat(string dir, string file)
    {
        var result = new Dictionary<string, ulong>();
        foreach (string line in CgroupFiles.Read(dir, file).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split(' ');
            if (f.Length == 2 && ulong.TryParse(f[1], out ulong v))
            {
                result[f[0]] = v;
            }
        }

        return result;
    }
}
