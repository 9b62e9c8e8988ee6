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

    /// <summary>setsid(2): a new session and process group, detached from any controlling terminal.</summary>
    public static void NewSession()
    {
        if (SysSetsid() < 0)
        {
            throw LinuxException.FromLastError("setsid");
        }
    }
}
