using System.Globalization;

namespace MyRuntime.Engine.Bundle;

/// <summary>Docker's --cpus: a decimal number of CPUs, turned into a CFS quota per 100 ms period.</summary>
public static class CpusParser
{
    public const ulong Period = 100_000;

    /// <summary>The quota and period for <paramref name="text"/>, or null for 0 (no limit).</summary>
    public static (long Quota, ulong Period)? Parse(string text)
    {
        if (!decimal.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal cpus))
        {
            throw new EngineException($"invalid --cpus '{text}': expected a decimal number of CPUs, e.g. 1.5");
        }

        decimal nano = cpus * 1_000_000_000m;
        if (nano != decimal.Truncate(nano))
        {
            throw new EngineException($"invalid --cpus '{text}': too precise (at most 9 decimals)");
        }

        if (cpus == 0)
        {
            return null;
        }

        decimal quota = decimal.Truncate(nano * Period / 1_000_000_000m);
        if (quota < 1000)
        {
            throw new EngineException($"invalid --cpus '{text}': the smallest limit is 0.01");
        }

        if (quota > long.MaxValue)
        {
            throw new EngineException($"invalid --cpus '{text}': too large");
        }

        return ((long)quota, Period);
    }
}
