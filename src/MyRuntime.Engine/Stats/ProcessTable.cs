using System.Globalization;

namespace MyRuntime.Engine.Stats;

/// <summary>The processes of a container as `docker top` prints them by default (ps -ef columns).</summary>
public sealed record ProcessList(IReadOnlyList<string> Titles, IReadOnlyList<IReadOnlyList<string>> Processes);

/// <summary>`docker top`: UID PID PPID C STIME TTY TIME CMD for a set of host pids, read from /proc.</summary>
public static class ProcessTable
{
    public const int ClockTicksPerSecond = HostCounters.ClockTicksPerSecond;

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    public static readonly IReadOnlyList<string> Titles = ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"];

    /// <summary>The rows of the given host pids in pid order; pids that are gone are left out.</summary>
    public static ProcessList List(IEnumerable<int> pids)
    {
        var clock = ProcessClock.Read();
        var users = UserNames.Host();
        var rows = new List<IReadOnlyList<string>>();
        foreach (int pid in pids.Distinct().Order())
        {
            try
            {
                if (ProcStat.Parse(File.ReadAllText($"/proc/{pid}/stat")) is not { } stat
                    || ProcStat.EffectiveUid(File.ReadAllText($"/proc/{pid}/status")) is not { } uid)
                {
                    continue;
                }

                string cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
                rows.Add(Row(stat, uid, cmdline, clock, users));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read.
            }
        }

        return new ProcessList(Titles, rows);
    }

    /// <summary>The table as the Docker CLI prints it (tabwriter: columns at least 20 wide, padding 3).</summary>
    public static string Format(ProcessList list) => TabTable.Format([list.Titles, .. list.Processes], 20, 3);

    /// <summary>One row. cmdline: the raw /proc/PID/cmdline (NUL-separated).</summary>
    public static IReadOnlyList<string> Row(ProcStat stat, uint uid, string cmdline, ProcessClock clock, IReadOnlyDictionary<uint, string> users)
    {
        ulong cpuTicks = stat.Utime + stat.Stime;
        return
        [
            users.TryGetValue(uid, out string? name) ? name : uid.ToString(CultureInfo.InvariantCulture),
            stat.Pid.ToString(CultureInfo.InvariantCulture),
            stat.Ppid.ToString(CultureInfo.InvariantCulture),
            CpuColumn(cpuTicks, stat.StartTime, clock.Uptime).ToString(CultureInfo.InvariantCulture),
            StartColumn(clock.BootTime + (long)(stat.StartTime / ClockTicksPerSecond), clock.Now),
            Tty(stat.TtyNr),
            CpuTime(cpuTicks / ClockTicksPerSecond),
            Command(stat, cmdline),
        ];
    }

    /// <summary>ps's C: cpu time over the time since the process started, in whole percent, at most 99.</summary>
    public static int CpuColumn(ulong cpuTicks, ulong startTicks, double uptime)
    {
        double seconds = Math.Floor(uptime - ((double)startTicks / ClockTicksPerSecond));
        if (seconds < 1)
        {
            return 0;
        }

        return (int)Math.Min(99, cpuTicks * 100 / ClockTicksPerSecond / (ulong)seconds);
    }

    /// <summary>ps's STIME: HH:MM today, MonDD this year, else the year (local time).</summary>
    public static string StartColumn(long startUnix, DateTimeOffset now)
    {
        var start = DateTimeOffset.FromUnixTimeSeconds(startUnix).ToOffset(now.Offset);
        if (start.Year != now.Year)
        {
            return start.Year.ToString(CultureInfo.InvariantCulture);
        }

        return start.DayOfYear != now.DayOfYear
            ? $"{Months[start.Month - 1]}{start.Day:00}"
            : $"{start.Hour:00}:{start.Minute:00}";
    }

    /// <summary>ps's TTY from tty_nr: pts/N, ttyN, ttySN, console, or "?".</summary>
    public static string Tty(int ttyNr)
    {
        if (ttyNr == 0)
        {
            return "?";
        }

        int major = (ttyNr >> 8) & 0xfff;
        int minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
        return major switch
        {
            >= 136 and <= 143 => $"pts/{((major - 136) * 256) + minor}",
            4 when minor < 64 => $"tty{minor}",
            4 => $"ttyS{minor - 64}",
            5 when minor == 1 => "console",
            _ => "?",
        };
    }

    /// <summary>ps's TIME: [DD-]HH:MM:SS of cpu time.</summary>
    public static string CpuTime(ulong seconds)
    {
        ulong days = seconds / 86400;
        string clock = $"{seconds / 3600 % 24:00}:{seconds / 60 % 60:00}:{seconds % 60:00}";
        return days > 0 ? $"{days}-{clock}" : clock;
    }

    /// <summary>ps's CMD: the arguments joined by spaces; "[comm]" without any (kernel threads, zombies), with
    /// " &lt;defunct&gt;" for a zombie.</summary>
    public static string Command(ProcStat stat, string cmdline)
    {
        string args = cmdline.TrimEnd('\0').Replace('\0', ' ');
        if (stat.State == 'Z')
        {
            return $"[{stat.Comm}] <defunct>";
        }

        return args.Length > 0 ? args : $"[{stat.Comm}]";
    }
}
