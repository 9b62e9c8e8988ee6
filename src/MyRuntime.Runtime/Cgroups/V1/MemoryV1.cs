using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups.V1;

/// <summary>memory on v1: limit_in_bytes, soft_limit_in_bytes, memsw.limit_in_bytes, swappiness, oom_control,
/// use_hierarchy.</summary>
public static class MemoryV1
{
    public static void Apply(string dir, LinuxMemory m)
    {
        MemoryUsageCheck.Run(m, () => long.TryParse(CgroupFiles.Read(dir, "memory.usage_in_bytes"), out long v) ? v : 0);
        if (m.UseHierarchy is { } hierarchy)
        {
            CgroupFiles.Write(dir, "memory.use_hierarchy", hierarchy ? "1" : "0");
        }

        // memory+swap may never be below the memory limit: when memsw grows, write it first; else the limit first.
        bool swapFirst = m.Swap is { } grow && (grow == -1 || grow > Current(dir, "memory.memsw.limit_in_bytes"));
        if (swapFirst)
        {
            CgroupFiles.Write(dir, "memory.memsw.limit_in_bytes", Value(m.Swap!.Value));
        }

        if (m.Limit is { } limit)
        {
            try
            {
                CgroupFiles.Write(dir, "memory.limit_in_bytes", Value(limit));
            }
            catch (RuntimeException) when (limit >= 0 && Current(dir, "memory.usage_in_bytes") is var usage && usage > limit)
            {
                // The kernel refuses (EBUSY) a limit below what it cannot reclaim: say so as runc does.
                throw new RuntimeException($"unable to set memory limit to {limit} (current usage: {usage}, peak usage: {Current(dir, "memory.max_usage_in_bytes")})");
            }
        }

        if (m.Swap is { } swap && !swapFirst)
        {
            CgroupFiles.Write(dir, "memory.memsw.limit_in_bytes", Value(swap));
        }

        if (m.Reservation is { } r)
        {
            CgroupFiles.Write(dir, "memory.soft_limit_in_bytes", Value(r));
        }

        if (m.Swappiness is { } sw)
        {
            CgroupFiles.Write(dir, "memory.swappiness", sw.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (m.DisableOOMKiller == true)
        {
            CgroupFiles.Write(dir, "memory.oom_control", "1");
        }
    }

    private static long Current(string dir, string file) =>
        long.TryParse(CgroupFiles.Read(dir, file), out long v) ? v : long.MaxValue;

    private static string Value(long v) => v == -1 ? "-1" : v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static long OomKills(string dir) => CgroupFiles.KeyedValue(dir, "memory.oom_control", "oom_kill");
}
