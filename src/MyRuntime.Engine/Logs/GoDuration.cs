using System.Globalization;

namespace MyRuntime.Engine.Logs;

/// <summary>Go's duration syntax (time.ParseDuration) as <c>--since 10m</c> uses it: an optional sign, then one
/// or more decimal numbers each with a unit among ns, us (µs), ms, s, m, h: "45s", "1h30m", "1.5h", "-2m".</summary>
internal static class GoDuration
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        ReadOnlySpan<char> s = text;
        bool negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.IsEmpty)
        {
            return false;
        }

        decimal nanoseconds = 0;
        while (!s.IsEmpty)
        {
            int i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            ReadOnlySpan<char> number = s[..i];
            if (number.IsEmpty || number.IndexOf('.') != number.LastIndexOf('.') || number is "." ||
                !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
            {
                return false;
            }

            int j = i;
            while (j < s.Length && !char.IsAsciiDigit(s[j]) && s[j] != '.')
            {
                j++;
            }

            decimal unit = s[i..j] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1e3m,
                "ms" => 1e6m,
                "s" => 1e9m,
                "m" => 60e9m,
                "h" => 3600e9m,
                _ => 0m,
            };
            if (unit == 0m)
            {
                return false;
            }

            try
            {
                nanoseconds += value * unit;
            }
            catch (OverflowException)
            {
                return false;
            }

            s = s[j..];
        }

        decimal ticks = decimal.Truncate(nanoseconds / 100);
        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks(negative ? -(long)ticks : (long)ticks);
        return true;
    }
}
