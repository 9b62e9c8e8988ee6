using System.Globalization;

namespace MyRuntime.Engine.Logs;

/// <summary>Times of log entries: Docker's fixed RFC 3339 form with nine fraction digits in UTC
/// ("2026-12-02T10:51:07.123456700Z"; DateTime has 100 ns ticks, so the last two digits are zero) and a parser
/// for RFC 3339 and the shorter forms <c>docker logs --since</c> accepts.</summary>
public static class LogTime
{
    /// <summary>Length of <see cref="Format(DateTime, Span{char})"/>'s output.</summary>
    public const int Length = 30;

    /// <summary>Writes the UTC time as "yyyy-MM-ddTHH:mm:ss.fffffff00Z" (30 characters).</summary>
    public static int Format(DateTime time, Span<char> destination)
    {
        DateTime utc = time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;
        if (!utc.TryFormat(destination, out int n, "yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture) || n != Length)
        {
            throw new ArgumentException("destination too small for a log time", nameof(destination));
        }

        return n;
    }

    public static string Format(DateTimeOffset time)
    {
        Span<char> buffer = stackalloc char[Length];
        Format(time.UtcDateTime, buffer);
        return new string(buffer);
    }

    /// <summary>Parses "YYYY-MM-DD", then optionally "THH", ":MM", ":SS", ".fraction" (1 to 9 digits), then
    /// optionally a zone "Z" or "±HH:MM". Without a zone the time is in <paramref name="localOffset"/>.</summary>
    public static bool TryParse(ReadOnlySpan<char> s, TimeSpan localOffset, out DateTimeOffset time)
    {
        time = default;
        int i = 0;
        if (!Digits(s, ref i, 4, out int year) || !Char(s, ref i, '-') || !Digits(s, ref i, 2, out int month) ||
            !Char(s, ref i, '-') || !Digits(s, ref i, 2, out int day))
        {
            return false;
        }

        int hour = 0, minute = 0, second = 0;
        long ticks = 0;
        if (i < s.Length && s[i] is 'T' or 't')
        {
            i++;
            if (!Digits(s, ref i, 2, out hour))
            {
                return false;
            }

            if (Char(s, ref i, ':') && (!Digits(s, ref i, 2, out minute) ||
                (Char(s, ref i, ':') && (!Digits(s, ref i, 2, out second) || (Char(s, ref i, '.') && !Fraction(s, ref i, out ticks))))))
            {
                return false;
            }
        }

        TimeSpan offset = localOffset;
        if (i < s.Length)
        {
            if (s[i] is 'Z' or 'z')
            {
                offset = TimeSpan.Zero;
                i++;
            }
            else if (s[i] is '+' or '-')
            {
                int sign = s[i] == '-' ? -1 : 1;
                i++;
                if (!Digits(s, ref i, 2, out int zh) || !Char(s, ref i, ':') || !Digits(s, ref i, 2, out int zm) || zh > 23 || zm > 59)
                {
                    return false;
                }

                offset = sign * new TimeSpan(zh, zm, 0);
            }
        }

        if (i != s.Length || month is < 1 or > 12 || year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month) ||
            hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        try
        {
            time = new DateTimeOffset(year, month, day, hour, minute, second, offset).AddTicks(ticks);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static bool Char(ReadOnlySpan<char> s, ref int i, char c)
    {
        if (i < s.Length && s[i] == c)
        {
            i++;
            return true;
        }

        return false;
    }

    private static bool Digits(ReadOnlySpan<char> s, ref int i, int count, out int value)
    {
        value = 0;
        if (i + count > s.Length)
        {
            return false;
        }

        for (int k = 0; k < count; k++, i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }

            value = (value * 10) + (s[i] - '0');
        }

        return true;
    }

    /// <summary>1 to 9 fraction digits as 100 ns ticks (digits past the seventh are dropped).</summary>
    private static bool Fraction(ReadOnlySpan<char> s, ref int i, out long ticks)
    {
        ticks = 0;
        int start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            if (i - start < 7)
            {
                ticks = (ticks * 10) + (s[i] - '0');
            }

            i++;
        }

        int digits = i - start;
        for (int k = digits; k < 7; k++)
        {
            ticks *= 10;
        }

        return digits is >= 1 and <= 9;
    }
}
