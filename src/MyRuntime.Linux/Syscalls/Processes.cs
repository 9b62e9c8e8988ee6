using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>Process control: signals, waiting, pidfds.</summary>
public static partial class Processes
{
    public const int WNOHANG = 1;
    public const int PR_SET_PDEATHSIG = 1;
    public const int PR_SET_DUMPABLE = 4;
    public const int PR_SET_KEEPCAPS = 8;
    public const int PR_CAPBSET_DROP = 24;
    public const int PR_SET_CHILD_SUBREAPER = 36;
    public const int PR_SET_NO_NEW_PRIVS = 38;
    public const int PR_CAP_AMBIENT = 47;
    public const int PR_CAP_AMBIENT_RAISE = 2;
    public const int PR_CAP_AMBIENT_CLEAR_ALL = 4;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int sig);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int SysWaitpid(int pid, out int status, int options);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int SysPoll(PollFd* fds, nuint nfds, int timeout);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>kill(2); false when the process does not exist.</summary>
    public static bool Kill(int pid, int signal)
    {
        if (SysKill(pid, signal) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == Errno.ESRCH)
        {
            return false;
        }

        throw new LinuxException($"kill {pid} with signal {signal}", errno);
    }

    /// <summary>Waits for a child; returns its exit code, or 128+N when killed by signal N.</summary>
    public static int WaitForExit(int pid)
    {
        while (true)
        {
            if (SysWaitpid(pid, out int status, 0) == pid)
            {
                return DecodeStatus(status);
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                throw new LinuxException($"wait for process {pid}", errno);
            }
        }
    }

    /// <summary>Non-blocking wait: the decoded status, or null while the child runs.</summary>
    public static int? TryWait(int pid)
    {
        int r = SysWaitpid(pid, out int status, WNOHANG);
        if (r == pid)
        {
            return DecodeStatus(status);
        }

        if (r < 0 && Marshal.GetLastPInvokeError() != Errno.EINTR)
        {
            throw LinuxException.FromLastError($"wait for process {pid}");
        }

        return null;
    }

    public static int DecodeStatus(int status)
    {
        int signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }

    /// <summary>A pidfd for the process, or -1 if it is gone.</summary>
    public static int PidfdOpen(int pid)
    {
        long fd = Syscall.Call(Syscall.SYS_pidfd_open, pid, 0, 0, 0, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == Errno.ESRCH ? -1 : throw new LinuxException($"pidfd_open {pid}", errno);
        }

        Files.SetCloexec((int)fd, true);
        return (int)fd;
    }

    /// <summary>Waits until fd is readable (POLLIN) or timeoutMs passes (-1 waits forever).</summary>
    public static unsafe bool WaitReadable(int fd, int timeoutMs)
    {
        var pfd = new PollFd { Fd = fd, Events = 1 };
        long deadline = timeoutMs < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMs;
        while (true)
        {
            int wait = timeoutMs < 0 ? -1 : (int)Math.Max(0, deadline - Environment.TickCount64);
            int r = SysPoll(&pfd, 1, wait);
            if (r > 0)
            {
                return true;
            }

            if (r == 0)
            {
                return false;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                throw new LinuxException("poll", errno);
            }
        }
    }

}
