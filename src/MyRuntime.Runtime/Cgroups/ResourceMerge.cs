using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups;

/// <summary>Limits after an update: every value the update gives replaces the old one, the rest stay.</summary>
public static class ResourceMerge
{
    public static LinuxResources Merge(LinuxResources? old, LinuxResources changes)
    {
        var r = old ?? new LinuxResources();
        if (changes.Memory is { } m)
        {
            var t = r.Memory ??= new LinuxMemory();
            t.Limit = m.Limit ?? t.Limit;
            t.Reservation = m.Reservation ?? t.Reservation;
            t.Swap = m.Swap ?? t.Swap;
            t.Swappiness = m.Swappiness ?? t.Swappiness;
            t.DisableOOMKiller = m.DisableOOMKiller ?? t.DisableOOMKiller;
            t.UseHierarchy = m.UseHierarchy ?? t.UseHierarchy;
            t.CheckBeforeUpdate = m.CheckBeforeUpdate ?? t.CheckBeforeUpdate;
        }

        if (changes.Cpu is { } c)
        {
            var t = r.Cpu ??= new LinuxCpu();
            t.Shares = c.Shares ?? t.Shares;
            t.Quota = c.Quota ?? t.Quota;
            t.Period = c.Period ?? t.Period;
            t.RealtimeRuntime = c.RealtimeRuntime ?? t.RealtimeRuntime;
            t.RealtimePeriod = c.RealtimePeriod ?? t.RealtimePeriod;
            t.Cpus = c.Cpus ?? t.Cpus;
            t.Mems = c.Mems ?? t.Mems;
            t.Idle = c.Idle ?? t.Idle;
            t.Burst = c.Burst ?? t.Burst;
        }

        if (changes.Network is { } n)
        {
            r.Network = n;
        }

        if (changes.Pids is { } p)
        {
            r.Pids = p;
        }

        if (changes.Devices is { } devices)
        {
            r.Devices = devices;
        }

        if (changes.BlockIO is { } b)
        {
            r.BlockIO = BlockIOLimits.Merge(r.BlockIO, b);
        }

        foreach (var h in changes.HugepageLimits ?? [])
        {
            var limits = r.HugepageLimits ??= [];
            limits.RemoveAll(l => l.PageSize == h.PageSize);
            limits.Add(h);
        }

        foreach (var (device, d) in changes.Rdma ?? [])
        {
            var t = (r.Rdma ??= []).TryGetValue(device, out var had) ? had : r.Rdma[device] = new LinuxRdma();
            t.HcaHandles = d.HcaHandles ?? t.HcaHandles;
            t.HcaObjects = d.HcaObjects ?? t.HcaObjects;
        }

        foreach (var (key, value) in changes.Unified ?? [])
        {
            (r.Unified ??= [])[key] = value;
        }

        return r;
    }
}
