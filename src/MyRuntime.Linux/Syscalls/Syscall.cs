using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>System calls glibc has no wrapper for, made through syscall(2).</summary>
internal static unsafe partial class Syscall
{
    public const long SYS_pivot_root = 155;
    public const long SYS_clone = 56;
    public const long SYS_setns = 308;
    public const long SYS_pidfd_open = 434;
    public const long SYS_pidfd_send_signal = 424;
    public const long SYS_close_range = 436;
    public const long SYS_capget = 125;
    public const long SYS_capset = 126;
    public const long SYS_openat2 = 437;
    public const long SYS_bpf = 321;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial long Call(long number, long a1, long a2, long a3, long a4, long a5);

}
