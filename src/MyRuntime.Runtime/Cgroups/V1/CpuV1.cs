using System.Globalization;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups.V1;

/// <summary>cpu on v1: shares, CFS period, quota and burst, realtime runtime and period, idle.</summary>
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

        if (c.Burst is { } burst)
        {
            WriteIfKernelHas(dir, "cpu.cfs_burst_us", burst.ToString(CultureInfo.InvariantCulture), "burst");
        }

        if (c.Idle is { } idle)
        {
            WriteIfKernelHas(dir, "cpu.idle", idle.ToString(CultureInfo.InvariantCulture), "idle");
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

    /// <summary>Files newer kernels add to the v1 cpu controller (cpu.cfs_burst_us 5.14, cpu.idle 5.15).</summary>
    private static void WriteIfKernelHas(string dir, string file, string value, string field)
    {
        if (!File.Exists(Path.Combine(dir, file)))
        {
            throw new RuntimeException($"linux.resources.cpu.{field}: this kernel's v1 cpu controller has no {file}");
        }

        CgroupFiles.Write(dir, file, value);
    }
}
