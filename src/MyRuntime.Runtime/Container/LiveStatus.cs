using MyRuntime.Linux;

namespace MyRuntime.Runtime.Container;

/// <summary>A container's status as the kernel shows it now, not as a file last said.</summary>
public static class LiveStatus
{
    public static string Of(ContainerState s, StateStore store)
    {
        if (!IsInitAlive(s))
        {
            return ContainerStatus.Stopped;
        }

        if (File.Exists(store.FifoOf(s.Id)))
        {
            return ContainerStatus.Created;
        }

        var cgroup = Cgroups.Cgroup.Open(s.Cgroup);
        if (cgroup?.IsFrozen() != true || SignalMarker.ThawIfAbandoned(store, s.Id, cgroup))
        {
            return ContainerStatus.Running;
        }

        return ContainerStatus.Paused;
    }

    /// <summary>True while the container's init process (the same one, not a reused pid) has not exited.</summary>
    public static bool IsInitAlive(ContainerState s) => ProcFs.IsAlive(s.Pid, s.PidStartTime);
}
