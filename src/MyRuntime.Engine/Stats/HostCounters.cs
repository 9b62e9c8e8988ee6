using System.Globalization;

namespace MyRuntime.Engine.Stats;

/// <summary>The host's and a process's counters `stats` reads: /proc/stat, /proc/meminfo, the online cpus and
/// /proc/PID/net/dev. Each text has a parser of its own for tests.</summary>
public static class HostCounters
{
    /// <summary>USER_HZ: the unit of the times in /proc/stat (100 on every Linux architecture we run on).</summary>
    public const int ClockTicksPerSecond = 100;

    public static ulong SystemCpuNs() => ParseSystemCpuNs(File.ReadAllText("/proc/stat"));

    public static ulong MemTotal() => ParseMemTotal(File.ReadAllText("/proc/meminfo"));

    public static int OnlineCpus()
    {
        try
        {
            int n = ParseCpuList(File.ReadAllText("/sys/devices/system/cpu/online"));
            return n > 0 ? n : Environment.ProcessorCount;
        }
        catch (IOException)
        {
            return Environment.ProcessorCount;
        }
    }

    /// <summary>The network counters in the namespace of pid; zero when pid is gone or has no network.</summary>
    public static NetworkCounters Network(int pid)
    {
        if (pid <= 0)
        {
            return default;
        }

        try
        {
            return ParseNetDev(File.ReadAllText($"/proc/{pid}/net/dev"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return default;
        }
    }

    /// <summary>The "cpu" line of /proc/stat: user nice system idle iowait irq softirq, in ns (as Docker sums them).</summary>
    public static ulong ParseSystemCpuNs(string procStat)
    {
        foreach (string line in procStat.Split('\n'))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 0 || f[0] != "cpu")
            {
                continue;
            }

            if (f.Length < 8)
            {
                throw new EngineException("/proc/stat: the cpu line has too few fields");
            }

            ulong ticks = 0;
            for (int i = 1; i < 8; i++)
            {
                ticks += ulong.Parse(f[i], CultureInfo.InvariantCulture);
            }

            return ticks * (1_000_000_000UL / ClockTicksPerSecond);
        }

        throw new EngineException("/proc/stat has no cpu line");
    }

    /// <summary>MemTotal of /proc/meminfo in bytes.</summary>
    public static ulong ParseMemTotal(string meminfo)
    {
        foreach (string line in meminfo.Split('\n'))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length >= 2 && ulong.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong kb))
                {
                    return f.Length > 2 && f[2] == "kB" ? kb * 1024 : kb;
                }
            }
        }

        return 0;
    }

    /// <summary>How many cpus a kernel cpu list ("0-3,5,7-8") names.</summary>
    public static int ParseCpuList(string list)
    {
        int count = 0;
        foreach (string part in list.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] range = part.Split('-');
            int first = int.Parse(range[0], CultureInfo.InvariantCulture);
            int last = range.Length > 1 ? int.Parse(range[1], CultureInfo.InvariantCulture) : first;
            count += last - first + 1;
        }

        return count;
    }

    /// <summary>Sums the receive and transmit bytes of /proc/net/dev over every interface but lo.</summary>
    public static NetworkCounters ParseNetDev(string netDev)
    {
        ulong rx = 0, tx = 0;
        foreach (string line in netDev.Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || line.Contains('|', StringComparison.Ordinal))
            {
                continue;
            }

            string name = line[..colon].Trim();
            string[] f = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (name == "lo" || f.Length < 9)
            {
                continue;
            }

            rx += ulong.Parse(f[0], CultureInfo.InvariantCulture);
            tx += ulong.Parse(f[8], CultureInfo.InvariantCulture);
        }

        return new NetworkCounters(rx, tx);
    }
}
