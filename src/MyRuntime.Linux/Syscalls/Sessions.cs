using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>Sessions and child reaping: what a container monitor needs to outlive the command that started it.</summary>
public static partial class Sessions
{
    [LibraryImport("libc", EntryPoint = "setsid", SetLastError = true)]
    private static partial int SysSetsid();

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int SysPrctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int SysWaitpid(int pid, out int status, int options);

    [LibraryImport("libc", EntryPoint = "signal", SetLastError = true)]
    private static partial nint SysSignal(int signal, nint handler);

    /// <summary>SIGPIPE ignored: a write to a reader that left fails with EPIPE instead of killing this process.</summary>
    public static void IgnoreSigpipe() => SysSignal(13 /* SIGPIPE */, 1 /* SIG_IGN */);

    /// <summary>setsid(2): a new session and process group, detached from any controlling terminal.</summary>
    public static void NewSession()
    {
        if (SysSetsid() < 0)
        {
            throw LinuxException.FromLastError("setsid");
        }
    }

    /// <summary>PR_SET_CHILD_SUBREAPER: orphaned descendants are reparented to this process.</summary>
    public static void BecomeSubreaper()
    {
        if (SysPrctl(Processes.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        {
            throw LinuxException.FromLastError("prctl(PR_SET_CHILD_SUBREAPER)");
        }
    }

    /// <summary>Waits for any child (blocking); returns its pid and decoded status, or null when there is no child left.</summary>
    public static (int Pid, int Status)? WaitAny()
    {
        while (true)
        {
            int r = SysWaitpid(-1, out int status, 0);
            if (r > 0)
            {
                return (r, Processes.DecodeStatus(status));
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.ECHILD)
            {
                return null;
            }

            if (errno != Errno.EINTR)
            {
                throw new LinuxException("waitpid", errno);
            }
        }
    }
}
