using MyRuntime.Engine.Containers;
using MyRuntime.Linux;

namespace MyRuntime.Engine.Lifecycle;

/// <summary>A container's monitor process as its record names it (pid and start time, so a reused pid is not taken
/// for it).</summary>
public static class MonitorProcess
{
    public static bool IsAlive(ContainerRecord r) => ProcFs.IsAlive(r.State.MonitorPid, r.State.MonitorStartTime);

    /// <summary>Waits until the monitor has exited; false when <paramref name="timeoutMs"/> passed first (-1: no limit).</summary>
    public static bool WaitExit(ContainerRecord r, int timeoutMs)
    {
        int pid = r.State.MonitorPid;
        if (!IsAlive(r))
        {
            return true;
        }

        int fd = Processes.PidfdOpen(pid);
        if (fd < 0)
        {
            return true;
        }

        try
        {
            // The pid may have been reused between the check and the open: check again through the pidfd's process.
            if (!IsAlive(r))
            {
                return true;
            }

            return Processes.WaitReadable(fd, timeoutMs);
        }
        finally
        {
            Files.Close(fd);
        }
    }
}
