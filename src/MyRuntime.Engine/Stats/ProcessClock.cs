using System.Globalization;

namespace MyRuntime.Engine.Stats;

/// <summary>What turns process times into ps's columns: the local time now, the boot time (unix seconds, "btime"
/// of /proc/stat) and the uptime in seconds.</summary>
public sealed record ProcessClock(DateTimeOffset Now, long BootTime, double Uptime)
{
    public static ProcessClock Read()
    {
        long boot = 0;
        foreach (string line in File.ReadAllText("/proc/stat").Split('\n'))
        {
            if (line.StartsWith("btime ", StringComparison.Ordinal))
            {
                boot = long.Parse(line[6..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        string uptime = File.ReadAllText("/proc/uptime").Split(' ')[0];
        return new ProcessClock(DateTimeOffset.Now, boot, double.Parse(uptime, CultureInfo.InvariantCulture));
    }
}
