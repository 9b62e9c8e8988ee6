using MyRuntime.Linux;

namespace MyRuntime.Runtime.Cgroups;

/// <summary>Signalling a whole cgroup the way runc does without cgroup.kill: freeze it, signal every process, thaw
/// it, so that a process forking in a loop cannot leave a child behind the sweep.</summary>
internal static class CgroupSignal
{
    public static void Send(ICgroup cgroup, int signal)
    {
        bool wasFrozen = cgroup.IsFrozen();
        bool froze = false;
        if (!wasFrozen)
        {
            try
            {
                cgroup.Freeze(true);
                froze = true;
            }
            catch (RuntimeException)
            {
                // No freezer: signal them as they are.
            }
        }

        try
        {
            foreach (int pid in cgroup.Pids())
            {
                Processes.Kill(pid, signal);
            }
        }
        finally
        {
            if (froze)
            {
                cgroup.Freeze(false);
            }
        }
    }
}
