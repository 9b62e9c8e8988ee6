using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>Capability sets: names, capset(2), the bounding and ambient sets. All per-thread: call them from the
/// thread that will execve.</summary>
public static class Capabilities
{
    public static readonly string[] Names =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
        "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap).</summary>
    public static int LastCap()
    {
        try
        {
            return int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim());
        }
        catch (IOException)
        {
            return Names.Length - 1;
        }
    }

    /// <summary>The number of a capability name ("CAP_SYS_ADMIN"), or -1.</summary>
    public static int Parse(string name) => Array.IndexOf(Names, name.ToUpperInvariant());

    public static ulong Mask(IEnumerable<string>? names, int lastCap)
    {
        ulong mask = 0;
        foreach (string n in names ?? [])
        {
            int c = Parse(n);
            if (c < 0)
            {
                throw new LinuxException($"unknown capability {n}", Errno.EINVAL);
            }

            if (c <= lastCap)
            {
                mask |= 1UL << c;
            }
        }

        return mask;
    }

    /// <summary>Drops from the bounding set every capability not in <paramref name="keep"/>.</summary>
    public static void LimitBounding(ulong keep, int lastCap)
    {
        for (int c = 0; c <= lastCap; c++)
        {
            if ((keep & (1UL << c)) == 0)
            {
                Processes.Prctl(Processes.PR_CAPBSET_DROP, (ulong)c);
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Header
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Data
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

    /// <summary>capset(2) with the 64-bit (version 3) layout.</summary>
    public static unsafe void Set(ulong effective, ulong permitted, ulong inheritable)
    {
        var header = new Header { Version = 0x20080522 };
        Data* data = stackalloc Data[2];
        data[0] = new Data { Effective = (uint)effective, Permitted = (uint)permitted, Inheritable = (uint)inheritable };
        data[1] = new Data
        {
            Effective = (uint)(effective >> 32),
            Permitted = (uint)(permitted >> 32),
            Inheritable = (uint)(inheritable >> 32),
        };
        if (Syscall.Call(Syscall.SYS_capset, (long)&header, (long)data, 0, 0, 0) != 0)
        {
            throw LinuxException.FromLastError("capset");
        }
    }

    public static void SetAmbient(ulong ambient, int lastCap)
    {
        Processes.Prctl(Processes.PR_CAP_AMBIENT, Processes.PR_CAP_AMBIENT_CLEAR_ALL);
        for (int c = 0; c <= lastCap; c++)
        {
            if ((ambient & (1UL << c)) != 0)
            {
                Processes.Prctl(Processes.PR_CAP_AMBIENT, Processes.PR_CAP_AMBIENT_RAISE, (ulong)c);
            }
        }
    }
}
