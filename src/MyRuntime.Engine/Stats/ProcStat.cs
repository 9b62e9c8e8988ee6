using System.Globalization;

namespace MyRuntime.Engine.Stats;

/// <summary>The fields of /proc/PID/stat that `top` shows. Times are in clock ticks (USER_HZ).</summary>
public sealed record ProcStat(int Pid, string Comm, char State, int Ppid, int TtyNr, ulong Utime, ulong Stime, ulong StartTime)
{
    /// <summary>Parses a stat line; null when it is malformed. The comm field may hold spaces and parentheses, so
    /// it runs from the first '(' to the last ')'.</summary>
    public static ProcStat? Parse(string line)
    {
        int open = line.IndexOf('(', StringComparison.Ordinal);
        int close = line.LastIndexOf(')');
        if (open < 1 || close < open || close + 2 > line.Length
            || !int.TryParse(line.AsSpan(0, open).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
        {
            return null;
        }

        string[] f = line[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // f[0] is field 3 (state): ppid 4, tty_nr 7, utime 14, stime 15, starttime 22.
        if (f.Length < 20 || f[0].Length != 1
            || !int.TryParse(f[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int ppid)
            || !int.TryParse(f[4], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int tty)
            || !ulong.TryParse(f[11], NumberStyles.None, CultureInfo.InvariantCulture, out ulong utime)
            || !ulong.TryParse(f[12], NumberStyles.None, CultureInfo.InvariantCulture, out ulong stime)
            || !ulong.TryParse(f[19], NumberStyles.None, CultureInfo.InvariantCulture, out ulong start))
        {
            return null;
        }

        return new ProcStat(pid, line[(open + 1)..close], f[0][0], ppid, tty, utime, stime, start);
    }

    /// <summary>The effective uid from the "Uid:" line of /proc/PID/status (real, effective, saved, fs).</summary>
    public static uint? EffectiveUid(string status)
    {
        foreach (string line in status.Split('\n'))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                string[] f = line[4..].Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
                return f.Length > 1 && uint.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid) ? uid : null;
            }
        }

        return null;
    }
}
