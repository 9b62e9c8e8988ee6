using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>Sessions and SIGPIPE: what a container monitor needs to outlive the command that started it.</summary>
public static partial class Sessions
{
    [LibraryImport("libc", EntryPoint = "setsid", SetLastError = true)]
    private static partial int SysSetsid();

    [LibraryImport("libc", EntryPoint = "signal", SetLastError = true)]
    private static partial nint SysSignal(int signal, nint handler);

    /// <summary>SIGPIPE ignored: a write to a reader that left fails with EPIPE instead of killing this process.</summary>
    public static void IgnoreSigpipe() => SysSignal(13 /* SIGPIPE */, 1 /* SIG_IGN */);

    [LibraryImport("libc", EntryPoint = "pthread_sigmask")]
    private static unsafe partial int SysPthreadSigmask(int how, byte* set, byte* oldSet);

    /// <summary>Unblocks every signal for the calling thread: a process inherits its parent's signal mask, and an
    /// init or monitor that forwards signals must not sit deaf behind a mask its caller left.</summary>
    public static unsafe void UnblockAllSignals()
    {
        byte* empty = stackalloc byte[128]; // sigset_t
        new Span<byte>(empty, 128).Clear();
        _ = SysPthreadSigmask(2 /* SIG_SETMASK */, empty, null);
    }

    /// <summary>Sets the signals' dispositions back to the default. A process started from a background job inherits
    /// SIGINT and SIGQUIT ignored, and .NET keeps an inherited SIG_IGN rather than install its handler: an init that
    /// must forward every signal first takes them back.</summary>
    public static void DefaultDispositions(IEnumerable<int> signals)
    {
        foreach (int signal in signals)
        {
            _ = SysSignal(signal, 0 /* SIG_DFL */);
        }
    }

    /// <summary>setsid(2): a new session and process group, detached from any controlling terminal.</summary>
    public static void NewSession()
    {
        if (SysSetsid() < 0)
        {
            throw LinuxException.FromLastError("setsid");
        }
    }
}
