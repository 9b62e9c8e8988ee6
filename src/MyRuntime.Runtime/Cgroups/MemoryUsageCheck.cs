using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups;

/// <summary>linux.resources.memory.checkBeforeUpdate: a memory limit below what the cgroup already uses is refused
/// instead of making the kernel reclaim or OOM-kill (as runc does on update).</summary>
public static class MemoryUsageCheck
{
    public static void Run(LinuxMemory m, Func<long> usage)
    {
        if (m.CheckBeforeUpdate != true || m.Limit is not (> 0 and var limit))
        {
            return;
        }

        long used = usage();
        if (limit < used)
        {
            throw new RuntimeException($"linux.resources.memory.checkBeforeUpdate: the memory limit {limit} is below the container's current usage {used}");
        }
    }
}
