using System.Globalization;

namespace MyRuntime.Engine.Bundle;

/// <summary>Docker's sizes in bytes (RAMInBytes): a number, optionally fractional, then an optional binary unit
/// (k, m, g, t, p; any case, optionally followed by "b" or "ib"): "64m", "1g", "512k", "100b", "1.5GiB", "1024".</summary>
public static class SizeParser
{
    public static long Parse(string text, string flag = "size")
    {
        string s = text.Trim();
        int i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
        {
            i++;
        }

        string number = s[..i];
        string unit = s[i..].TrimStart(' ').ToLowerInvariant();
        if (number.Length == 0 || number.StartsWith('.') || number.EndsWith('.') ||
            !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
        {
            throw Invalid(text, flag);
        }

        decimal multiplier = unit switch
        {
            "" or "b" => 1m,
            "k" or "kb" or "kib" => 1024m,
            "m" or "mb" or "mib" => 1024m * 1024,
            "g" or "gb" or "gib" => 1024m * 1024 * 1024,
            "t" or "tb" or "tib" => 1024m * 1024 * 1024 * 1024,
            "p" or "pb" or "pib" => 1024m * 1024 * 1024 * 1024 * 1024,
            _ => throw Invalid(text, flag),
        };

        decimal bytes = decimal.Truncate(value * multiplier);
        if (bytes > long.MaxValue)
        {
            throw new EngineException($"invalid {flag} '{text}': too large");
        }

        return (long)bytes;
    }

    private static EngineException Invalid(string text, string flag) =>
        new($"invalid {flag} '{text}': expected a number with an optional unit (b, k, m, g, t, p)");
}
