using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>Resource limits through prlimit(2).</summary>
public static partial class Limits
{
    [LibraryImport("libc", EntryPoint = "prlimit", SetLastError = true)]
    private static unsafe partial int SysPrlimit(int pid, int resource, ulong* newLimit, ulong* oldLimit);

    private static readonly string[] Names =
    [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC",
        "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE",
        "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ];

    /// <summary>The resource number of "RLIMIT_NOFILE" and the like, or -1.</summary>
    public static int Parse(string name) => Array.IndexOf(Names, name.ToUpperInvariant());

    public static unsafe void Set(string name, ulong soft, ulong hard)
    {
        int resource = Parse(name);
        if (resource < 0)
        {
            throw new LinuxException($"unknown rlimit {name}", Errno.EINVAL);
        }

        ulong* limit = stackalloc ulong[2];
        limit[0] = soft;
        limit[1] = hard;
        if (SysPrlimit(0, resource, limit, null) != 0)
        {
            throw LinuxException.FromLastError($"setrlimit {name} to {soft}:{hard}");
        }
    }
}
