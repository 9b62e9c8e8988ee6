using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime.Cgroups.Devices;
using MyRuntime.Runtime.Cgroups.V1;
using MyRuntime.Runtime.Cgroups.V2;

namespace MyRuntime.Runtime.Cgroups;

/// <summary>The cgroup of a container on whichever layout the host runs.</summary>
public static class Cgroup
{
    /// <summary>Checks the limits before anything is made: values out of range and unknown combinations.</summary>
    public static void Validate(LinuxResources? r)
    {
        if (r is null)
        {
            return;
        }

        if (r.Memory is { } m)
        {
            foreach (var (name, v) in new[] { ("limit", m.Limit), ("reservation", m.Reservation), ("swap", m.Swap) })
            {
                if (v is < -1 or 0)
                {
                    throw new RuntimeException($"linux.resources.memory.{name} {v} is not a positive byte count (or -1 for no limit)");
                }
            }

            if (m.Swap is > 0 && m.Limit is > 0 && m.Swap < m.Limit)
            {
                throw new RuntimeException($"linux.resources.memory.swap {m.Swap} is below the memory limit {m.Limit} (it counts memory plus swap)");
            }
        }

        if (r.Cpu is { } c)
        {
            if (c.Quota is > 0 && c.Period is null)
            {
                throw new RuntimeException("linux.resources.cpu.quota is given without cpu.period");
            }

            if (c.Quota is < -1 or 0 || c.Period is 0)
            {
                throw new RuntimeException("linux.resources.cpu: quota and period must be positive (quota -1 for no limit)");
            }
        }

        if (r.Pids is { Limit: < -1 })
        {
            throw new RuntimeException($"linux.resources.pids.limit {r.Pids.Limit} is negative");
        }

        if (r.Devices is { } devices)
        {
            DeviceRules.Validate(devices);
        }

        if (r.BlockIO is { } b)
        {
            BlockIOLimits.Validate(b);
        }

        if (r.HugepageLimits is { Count: > 0 } hugepages)
        {
            HugetlbLimits.Validate(hugepages, HugePageSizes.Supported());
        }

        if (r.Rdma is { Count: > 0 } rdma)
        {
            RdmaLimits.Validate(rdma);
        }

        if (r.Network is { } network)
        {
            NetworkLimits.Validate(network);
        }
    }

    public static ICgroup Plan(string? cgroupsPath, string id, LinuxResources? resources) => CgroupLayouts.Detect() switch
    {
        CgroupLayout.V2 => V2Cgroup.Plan(cgroupsPath, id),
        _ => V1Cgroup.Plan(cgroupsPath, id, resources),
    };

    public static ICgroup? Open(IReadOnlyDictionary<string, string>? dirs) => dirs is null || dirs.Count == 0 ? null
        : dirs.ContainsKey(string.Empty) ? V2Cgroup.Open(dirs) : V1Cgroup.Open(dirs);

    /// <summary>Resource sections present in the spec that are not applied yet, for the log.</summary>
    public static IEnumerable<string> Unapplied(LinuxResources? r) => r?.Extra is { } extra ? extra.Keys : [];
}
