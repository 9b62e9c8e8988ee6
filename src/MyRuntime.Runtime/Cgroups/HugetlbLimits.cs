using System.Globalization;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups;

/// <summary>hugetlb, the same on v1 and v2 but for the file suffix: hugetlb.SIZE.limit_in_bytes (v1) or
/// hugetlb.SIZE.max (v2). Like runc, the limit also goes to hugetlb.SIZE.rsvd.* where the kernel has it (5.7+), so
/// that going over it fails at mmap() (ENOMEM) rather than with SIGBUS at the first touch of a page.</summary>
public static class HugetlbLimits
{
    public const string V1Suffix = "limit_in_bytes";

    public const string V2Suffix = "max";

    /// <summary>Known page sizes only, each at most once.</summary>
    public static void Validate(IReadOnlyList<LinuxHugepageLimit> limits, IReadOnlyCollection<string> supported)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in limits)
        {
            if (!supported.Contains(l.PageSize))
            {
                string have = supported.Count == 0 ? "none" : string.Join(", ", supported);
                throw new RuntimeException($"linux.resources.hugepageLimits: page size '{l.PageSize}' is not one this host has (it has: {have})");
            }

            if (!seen.Add(l.PageSize))
            {
                throw new RuntimeException($"linux.resources.hugepageLimits: page size {l.PageSize} is given twice");
            }
        }
    }

    public static void Apply(string dir, IEnumerable<LinuxHugepageLimit> limits, string suffix)
    {
        foreach (var l in limits)
        {
            string value = l.Limit.ToString(CultureInfo.InvariantCulture);
            CgroupFiles.Write(dir, $"hugetlb.{l.PageSize}.{suffix}", value);
            if (File.Exists(Path.Combine(dir, $"hugetlb.{l.PageSize}.rsvd.{suffix}")))
            {
                CgroupFiles.Write(dir, $"hugetlb.{l.PageSize}.rsvd.{suffix}", value);
            }
        }
    }

    /// <summary>Usage per page size: v1 usage_in_bytes/max_usage_in_bytes/failcnt, v2 current and events' max.</summary>
    public static Dictionary<string, HugetlbStats> Stats(string dir, bool v2)
    {
        var result = new Dictionary<string, HugetlbStats>();
        foreach (string size in HugePageSizes.Supported())
        {
            string p = $"hugetlb.{size}";
            if (!File.Exists(Path.Combine(dir, v2 ? $"{p}.current" : $"{p}.usage_in_bytes")))
            {
                continue;
            }

            result[size] = v2
                ? new HugetlbStats { Usage = StatFiles.Number(dir, $"{p}.current"), Failcnt = (ulong)CgroupFiles.KeyedValue(dir, $"{p}.events", "max") }
                : new HugetlbStats { Usage = StatFiles.Number(dir, $"{p}.usage_in_bytes"), MaxUsage = StatFiles.Number(dir, $"{p}.max_usage_in_bytes"), Failcnt = StatFiles.Number(dir, $"{p}.failcnt") };
        }

        return result;
    }
}
