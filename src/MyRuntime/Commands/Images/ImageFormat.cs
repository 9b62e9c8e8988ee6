using System.Globalization;

namespace MyRuntime.Commands.Images;

/// <summary>Sizes and ages as Docker prints them: <c>4.26MB</c>, <c>2 weeks ago</c>.</summary>
public static class ImageFormat
{
    private static readonly string[] Units = ["B", "kB", "MB", "GB", "TB", "PB"];

    /// <summary>Decimal units, 3 significant digits (Docker's HumanSizeWithPrecision(size, 3)).</summary>
    public static string Size(long bytes)
    {
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < Units.Length - 1)
        {
            value /= 1000;
            unit++;
        }

        string number = value.ToString("G3", CultureInfo.InvariantCulture);
        if (number.Contains('E', StringComparison.Ordinal))
        {
            number = Math.Round(value).ToString(CultureInfo.InvariantCulture);
        }

        return number + Units[unit];
    }

    /// <summary>How long ago, in Docker's words (<c>About an hour ago</c>, <c>3 days ago</c>); "N/A" when unknown.</summary>
    public static string Ago(DateTimeOffset? when, DateTimeOffset now)
    {
        if (when is null)
        {
            return "N/A";
        }

        var d = now - when.Value;
        double s = d.TotalSeconds;
        string text = s switch
        {
            < 1 => "Less than a second",
            < 60 => $"{(int)s} seconds",
            < 120 => "About a minute",
            < 3600 => $"{(int)(s / 60)} minutes",
            < 7200 => "About an hour",
            < 48 * 3600 => $"{(int)Math.Round(s / 3600)} hours",
            < 7 * 24 * 3600 * 2 => $"{(int)(s / 86400)} days",
            < 30 * 24 * 3600 * 2 => $"{(int)(s / (7 * 86400))} weeks",
            < 365 * 24 * 3600 * 2 => $"{(int)(s / (30 * 86400))} months",
            _ => $"{(int)(s / (365 * 86400))} years",
        };
        return text + " ago";
    }
}
