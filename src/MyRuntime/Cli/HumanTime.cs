using System.Globalization;

namespace MyRuntime.Cli;

/// <summary>Durations as Docker prints them ("Up 5 seconds", "About a minute ago").</summary>
public static class HumanTime
{
    public static string Duration(TimeSpan d)
    {
        int seconds = (int)d.TotalSeconds;
        if (seconds < 1)
        {
            return "Less than a second";
        }

        if (seconds == 1)
        {
            return "1 second";
        }

        if (seconds < 60)
        {
            return Format("{0} seconds", seconds);
        }

        int minutes = (int)d.TotalMinutes;
        if (minutes == 1)
        {
            return "About a minute";
        }

        if (minutes < 60)
        {
            return Format("{0} minutes", minutes);
        }

        int hours = (int)(d.TotalHours + 0.5);
        return hours switch
        {
            1 => "About an hour",
            < 48 => Format("{0} hours", hours),
            < 24 * 7 * 2 => Format("{0} days", hours / 24),
            < 24 * 30 * 2 => Format("{0} weeks", hours / 24 / 7),
            < 24 * 365 * 2 => Format("{0} months", hours / 24 / 30),
            _ => Format("{0} years", (int)d.TotalHours / 24 / 365),
        };
    }

    private static string Format(string format, int n) => string.Format(CultureInfo.InvariantCulture, format, n);
}
