using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>What an init needs: waiting for any child, the child subreaper flag, its own pid.</summary>
public static partial class Processes
{
    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int SysPrctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "getpid")]
    private static partial int SysGetpid();

    /// <summary>getpid(2), uncached.</summary>
    public static int GetPid() => SysGetpid();

    /// <summary>Makes orphaned descendants of this process its children rather than those of PID 1
    /// (PR_SET_CHILD_SUBREAPER).</summary>
    public static void SetChildSubreaper()
    {
        if (SysPrctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
        {
            throw LinuxException.FromLastError("prctl PR_SET_CHILD_SUBREAPER");
        }
    }

    /// <summary>waitpid(-1): the pid and raw status of a child that ended (blocking unless noHang); pid 0 when
    /// noHang and no child has ended yet; null when this process has no children.</summary>
    public static (int Pid, int Status)? WaitAny(bool noHang)
    {
        while (true)
        {
            int pid = SysWaitpid(-1, out int status, noHang ? WNOHANG : 0);
            if (pid >= 0)
            {
                return (pid, pid == 0 ? 0 : status);
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.ECHILD)
            {
                return null;
            }

            if (errno != Errno.EINTR)
            {
                throw new LinuxException("wait for children", errno);
            }
        }
    }
}
