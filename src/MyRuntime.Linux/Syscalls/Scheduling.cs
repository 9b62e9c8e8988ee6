using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>Scheduling names and numbers (sched_setattr policies and flags, I/O priority classes, personality
/// domains) that the spawned child applies, and sched_setaffinity(2) of another process.</summary>
public static partial class Scheduling
{
    /// <summary>The most CPUs a CPU list may name (the child's affinity mask is this many bits).</summary>
    public const int MaxCpus = 1024;

    private static readonly string[] Policies =
    [
        "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE",
    ];

    private static readonly string[] Flags =
    [
        "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY",
        "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX",
    ];

    private static readonly string[] IoClasses = ["IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"];

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static unsafe partial int SysSetAffinity(int pid, nuint size, ulong* mask);

    /// <summary>The policy number of "SCHED_BATCH" and the like, or -1.</summary>
    public static int Policy(string name) => Array.IndexOf(Policies, name);

    /// <summary>The sched_attr flag bit of "SCHED_FLAG_RESET_ON_FORK" and the like, or 0.</summary>
    public static ulong Flag(string name) => Array.IndexOf(Flags, name) is int i and >= 0 ? 1UL << i : 0;

    /// <summary>The ioprio_set(2) value of a class ("IOPRIO_CLASS_BE") and a level 0-7, or -1.</summary>
    public static int IoPriority(string className, int level) =>
        Array.IndexOf(IoClasses, className) is int i and >= 0 && level is >= 0 and <= 7 ? ((i + 1) << 13) | level : -1;

    /// <summary>The personality(2) value of an execution domain ("LINUX", "LINUX32"), or -1.</summary>
    public static int PersonalityDomain(string name) => name switch
    {
        "LINUX" => 0,
        "LINUX32" => 8, // PER_LINUX32
        _ => -1,
    };

    /// <summary>The affinity mask of a CPU list (as <see cref="MaxCpus"/> bits).</summary>
    public static ulong[] Mask(IEnumerable<int> cpus)
    {
        var mask = new ulong[MaxCpus / 64];
        foreach (int cpu in cpus)
        {
            mask[cpu / 64] |= 1UL << (cpu % 64);
        }

        return mask;
    }

    /// <summary>sched_setaffinity(2) of process pid to the given CPUs.</summary>
    public static unsafe void SetAffinity(int pid, IEnumerable<int> cpus)
    {
        ulong[] mask = Mask(cpus);
        fixed (ulong* m = mask)
        {
            if (SysSetAffinity(pid, (nuint)(mask.Length * sizeof(ulong)), m) < 0)
            {
                throw new LinuxException("set the initial CPU affinity", Marshal.GetLastPInvokeError());
            }
        }
    }
}
