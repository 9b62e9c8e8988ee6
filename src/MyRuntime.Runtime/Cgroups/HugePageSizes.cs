using System.Globalization;

namespace MyRuntime.Runtime.Cgroups;

/// <summary>The huge page sizes the kernel offers, named as the hugetlb controller's files name them ("64KB",
/// "2MB", "1GB"): from the directories of /sys/kernel/mm/hugepages ("hugepages-2048kB").</summary>
public static class HugePageSizes
{
    public const string SysDir = "/sys/kernel/mm/hugepages";

    private static readonly string[] Units = ["KB", "MB", "GB", "TB", "PB"];

    /// <summary>The sizes this host has; none when the kernel has no huge pages.</summary>
    public static List<string> Supported()
    {
        if (!Directory.Exists(SysDir))
        {
            return [];
        }

        return [.. Directory.EnumerateDirectories(SysDir).Select(d => FromDirName(Path.GetFileName(d))).OfType<string>()];
    }

    /// <summary>"hugepages-2048kB" → "2MB"; null for a name of another form.</summary>
    public static string? FromDirName(string name)
    {
        const string prefix = "hugepages-", suffix = "kB";
        if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(suffix, StringComparison.Ordinal))
        {
            return null;
        }

        string digits = name[prefix.Length..^suffix.Length];
        return ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out ulong kb) && kb > 0 ? Name(kb) : null;
    }

    /// <summary>A size in KiB named in the largest binary unit it reaches: 2048 → "2MB", 1048576 → "1GB", 64 → "64KB".</summary>
    public static string Name(ulong kb)
    {
        double value = kb;
        int unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString("0.###", CultureInfo.InvariantCulture) + Units[unit];
    }
}
