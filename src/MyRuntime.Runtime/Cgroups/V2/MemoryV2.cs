using System.Globalization;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups.V2;

/// <summary>memory on v2: memory.max, memory.low, memory.swap.max (the spec's swap is memory+swap); v2 is always
/// hierarchical.</summary>
public static class MemoryV2
{
    public static void Apply(string dir, LinuxMemory m)
    {
        MemoryUsageCheck.Run(m, () => long.TryParse(CgroupFiles.Read(dir, "memory.current"), out long v) ? v : 0);
        if (m.UseHierarchy == false)
        {
            throw new RuntimeException("linux.resources.memory.useHierarchy false: cgroup v2 memory accounting is always hierarchical");
        }

        if (m.Limit is { } limit)
        {
            CgroupFiles.Write(dir, "memory.max", Max(limit));
        }

        if (m.Reservation is { } low)
        {
            CgroupFiles.Write(dir, "memory.low", Max(low));
        }

        if (m.Swap is { } swap)
        {
            string value = swap == -1 ? "max" : m.Limit is { } l && l > 0 ? Math.Max(0, swap - l).ToString(CultureInfo.InvariantCulture)
                : throw new RuntimeException("memory.swap needs memory.limit on cgroup v2");
            CgroupFiles.Write(dir, "memory.swap.max", value);
        }

        if (m.Swappiness is not null || m.Kernel is not null || m.KernelTCP is not null)
        {
            // Not in cgroup v2; runc and crun ignore them there too.
        }
    }

    private static string Max(long v) => v == -1 ? "max" : v.ToString(CultureInfo.InvariantCulture);

    public static long OomKills(string dir) => CgroupFiles.KeyedValue(dir, "memory.events", "oom_kill");
}
