using System.Globalization;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups.V1;

/// <summary>cpu on v1: shares, CFS period and quota, realtime runtime and period.</summary>
public static class CpuV1
{
    public static void Apply(string dir, LinuxCpu c)
    {
        if (c.Shares is { } shares)
        {
            CgroupFiles.Write(dir, "cpu.shares", shares.ToString(CultureInfo.InvariantCulture));
        }

        if (c.Period is { } period)
        {
            CgroupFiles.Write(dir, "cpu.cfs_period_us", period.ToString(CultureInfo.InvariantCulture));
        }

        if (c.Quota is { } quota)
        {
            CgroupFiles.Write(dir, "cpu.cfs_quota_us", quota.ToString(CultureInfo.InvariantCulture));
        }

        if (c.RealtimePeriod is { } rtp)
        {
            CgroupFiles.Write(dir, "cpu.rt_period_us", rtp.ToString(CultureInfo.InvariantCulture));
        }

        if (c.RealtimeRuntime is { } rtr)
        {
            CgroupFiles.Write(dir, "cpu.rt_runtime_us", rtr.ToString(CultureInfo.InvariantCulture));
        }
    }
}
