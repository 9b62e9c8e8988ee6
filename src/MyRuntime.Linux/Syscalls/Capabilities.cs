namespace MyRuntime.Linux;

/// <summary>Capability names, numbers and masks (the spawned child applies the sets with capset and prctl).</summary>
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

    /// <summary>The bounding set of this process (CapBnd of /proc/self/status): the capabilities it can hand on.</summary>
    public static ulong BoundingSet()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("CapBnd:", StringComparison.Ordinal))
                {
                    return ulong.Parse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return ulong.MaxValue;
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

}
