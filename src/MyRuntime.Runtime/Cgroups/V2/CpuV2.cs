using System.Globalization;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups.V2;

/// <summary>cpu and cpuset on v2: cpu.weight from shares (runc's conversion), cpu.max, cpu.max.burst, cpu.idle,
/// cpuset.cpus and mems.</summary>
public static class CpuV2
{
    public static void Apply(string dir, LinuxCpu c)
    {
        if (c.Shares is { } shares and > 0)
        {
            ulong weight = 1 + ((Math.Clamp(shares, 2, 262144) - 2) * 9999 / 262142);
            CgroupFiles.Write(dir, "cpu.weight", weight.ToString(CultureInfo.InvariantCulture));
        }

        if (c.Quota is not null || c.Period is not null)
        {
            // A period alone keeps the quota in force (update --cpu-period).
            string quota = c.Quota is { } q ? (q > 0 ? q.ToString(CultureInfo.InvariantCulture) : "max")
                : CgroupFiles.Read(dir, "cpu.max").Split(' ')[0];
            ulong period = c.Period ?? 100000;
            CgroupFiles.Write(dir, "cpu.max", $"{quota} {period.ToString(CultureInfo.InvariantCulture)}");
        }

        if (c.Burst is { } burst)
        {
            CgroupFiles.Write(dir, "cpu.max.burst", burst.ToString(CultureInfo.InvariantCulture));
        }

        if (c.Idle is { } idle)
        {
            CgroupFiles.Write(dir, "cpu.idle", idle.ToString(CultureInfo.InvariantCulture));
        }

        if (!string.IsNullOrEmpty(c.Cpus))
        {
            CgroupFiles.Write(dir, "cpuset.cpus", c.Cpus);
        }

        if (!string.IsNullOrEmpty(c.Mems))
        {
            CgroupFiles.Write(dir, "cpuset.mems", c.Mems);
        }
    }
}
