using System.Globalization;

namespace MyRuntime.Engine.Logs;

/// <summary>The json-file log driver's options from <c>--log-opt key=value</c>: <c>max-size</c> (bytes per file
/// before rotation) and <c>max-file</c> (how many files are kept, the current one included).
/// <para>Docker's json-file driver keeps one unlimited file by default; <b>our defaults are max-size 10 MiB and
/// max-file 3</b>, so a chatty container cannot fill the disk. Sizes are read as Docker reads them
/// (go-units FromHumanSize: decimal units, "10m" is 10,000,000 bytes). As in Docker, max-file without
/// max-size is accepted; here it rotates at the default max-size (Docker would never rotate).</para></summary>
public sealed record LogOptions(long MaxSize, int MaxFiles)
{
    public const long DefaultMaxSize = 10L * 1024 * 1024;
    public const int DefaultMaxFiles = 3;

    public static LogOptions Default { get; } = new(DefaultMaxSize, DefaultMaxFiles);

    /// <summary>Options Docker's json-file driver knows that myruntime does not implement.</summary>
    private static readonly string[] Unsupported = ["compress", "labels", "labels-regex", "env", "env-regex", "tag"];

    /// <summary>Parses the values of every <c>--log-opt</c> flag ("max-size=10m", "max-file=5"); a later value of
    /// a key wins, as in Docker.</summary>
    public static LogOptions Parse(IEnumerable<string> logOpts)
    {
        long maxSize = DefaultMaxSize;
        int maxFiles = DefaultMaxFiles;
        foreach (string opt in logOpts)
        {
            int eq = opt.IndexOf('=');
            if (eq <= 0)
            {
                throw new EngineException($"invalid --log-opt '{opt}': expected key=value");
            }

            string key = opt[..eq];
            string value = opt[(eq + 1)..];
            switch (key)
            {
                case "max-size":
                    maxSize = ParseMaxSize(value);
                    break;
                case "max-file":
                    maxFiles = ParseMaxFile(value);
                    break;
                default:
                    throw Array.IndexOf(Unsupported, key) >= 0
                        ? new EngineException($"log opt '{key}' is not supported by myruntime's json-file log driver")
                        : new EngineException($"unknown log opt '{key}' for json-file log driver");
            }
        }

        return new LogOptions(maxSize, maxFiles);
    }

    /// <summary>go-units FromHumanSize: a decimal number, an optional space, then an optional unit among
    /// k, m, g, t, p (any case, powers of 1000) optionally followed by "i" and/or "b".</summary>
    internal static long ParseMaxSize(string value)
    {
        string s = value;
        int i = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        int intEnd = i;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == intEnd + 1)
            {
                throw InvalidSize(value);
            }
        }

        if (intEnd == 0)
        {
            throw InvalidSize(value);
        }

        string number = s[..i];
        string unit = s[i..];
        if (unit.StartsWith(' '))
        {
            unit = unit[1..];
        }

        decimal multiplier = 1m;
        if (unit.Length > 0 && "kmgtp".Contains(char.ToLowerInvariant(unit[0])))
        {
            multiplier = char.ToLowerInvariant(unit[0]) switch
            {
                'k' => 1e3m,
                'm' => 1e6m,
                'g' => 1e9m,
                't' => 1e12m,
                _ => 1e15m,
            };
            unit = unit[1..];
        }

        if (unit.Length > 0 && unit[0] is 'i' or 'I')
        {
            unit = unit[1..];
        }

        if (unit.Length > 0 && unit[0] is 'b' or 'B')
        {
            unit = unit[1..];
        }

        if (unit.Length > 0 || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal n))
        {
            throw InvalidSize(value);
        }

        decimal bytes = decimal.Truncate(n * multiplier);
        if (bytes > long.MaxValue)
        {
            throw new EngineException($"invalid log opt max-size '{value}': too large");
        }

        return bytes > 0 ? (long)bytes : throw new EngineException("max-size must be a positive number");
    }

    internal static int ParseMaxFile(string value)
    {
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n))
        {
            throw new EngineException($"invalid log opt max-file '{value}': expected an integer");
        }

        return n >= 1 ? n : throw new EngineException("max-file cannot be less than 1");
    }

    private static EngineException InvalidSize(string value) =>
        new($"invalid log opt max-size '{value}': expected a positive size like 10m (units k, m, g, t, p)");
}
