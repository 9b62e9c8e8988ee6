namespace MyRuntime.Linux;

/// <summary>Resource limit names and numbers (the spawned child applies them with prlimit64).</summary>
public static class Limits
{
    private static readonly string[] Names =
    [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC",
        "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE",
        "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ];

    /// <summary>The resource number of "RLIMIT_NOFILE" and the like, or -1.</summary>
    public static int Parse(string name) => Array.IndexOf(Names, name.ToUpperInvariant());

}
