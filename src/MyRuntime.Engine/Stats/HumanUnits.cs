using System.Globalization;

namespace MyRuntime.Engine.Stats;

/// <summary>Sizes as Docker prints them (github.com/docker/go-units): binary units with four significant digits
/// for memory (BytesSize), decimal units with three for network and block IO (HumanSizeWithPrecision), each
/// number in Go's %g form.</summary>
public static class HumanUnits
{
    private static readonly string[] Decimal = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    private static readonly string[] Binary = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];

    /// <summary>go-units BytesSize: "%.4g" in units of 1024.</summary>
    public static string BytesSize(double size) => Format(size, 1024, Binary, 4);

    /// <summary>go-units HumanSizeWithPrecision: "%.{precision}g" in units of 1000.</summary>
    public static string HumanSize(double size, int precision = 3) => Format(size, 1000, Decimal, precision);

    /// <summary>Go's fmt "%.{precision}g": the shortest of precision significant digits, trailing zeros dropped,
    /// exponent form ("1e+03") when the exponent is below -4 or not below the precision.</summary>
    public static string GoG(double value, int precision)
    {
        if (precision < 1)
        {
            precision = 1;
        }

        if (value == 0)
        {
            return "0";
        }

        string e = value.ToString("E" + (precision - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        int ePos = e.IndexOf('E', StringComparison.Ordinal);
        int exponent = int.Parse(e[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (exponent < -4 || exponent >= precision)
        {
            string mantissa = TrimZeros(e[..ePos]);
            string digits = Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
            return $"{mantissa}e{(exponent < 0 ? '-' : '+')}{digits}";
        }

        int decimals = precision - 1 - exponent;
        return TrimZeros(value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
    }

    private static string Format(double size, double unitBase, string[] units, int precision)
    {
        int i = 0;
        while (size >= unitBase && i < units.Length - 1)
        {
            size /= unitBase;
            i++;
        }

        return GoG(size, precision) + units[i];
    }

    private static string TrimZeros(string number) =>
        number.Contains('.', StringComparison.Ordinal) ? number.TrimEnd('0').TrimEnd('.') : number;
}
