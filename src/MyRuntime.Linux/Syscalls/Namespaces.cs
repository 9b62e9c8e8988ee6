namespace MyRuntime.Linux;

/// <summary>Namespace flags, their /proc names, and namespace identity (the spawned child joins and creates them).</summary>
public static class Namespaces
{
    public const int CLONE_NEWNS = 0x00020000;
    public const int CLONE_NEWCGROUP = 0x02000000;
    public const int CLONE_NEWUTS = 0x04000000;
    public const int CLONE_NEWIPC = 0x08000000;
    public const int CLONE_NEWUSER = 0x10000000;
    public const int CLONE_NEWPID = 0x20000000;
    public const int CLONE_NEWNET = 0x40000000;
    public const int CLONE_NEWTIME = 0x00000080;

    /// <summary>The /proc/PID/ns entry name of each namespace flag.</summary>
    public static string ProcName(int flag) => flag switch
    {
        CLONE_NEWNS => "mnt",
        CLONE_NEWCGROUP => "cgroup",
        CLONE_NEWUTS => "uts",
        CLONE_NEWIPC => "ipc",
        CLONE_NEWUSER => "user",
        CLONE_NEWPID => "pid",
        CLONE_NEWNET => "net",
        CLONE_NEWTIME => "time",
        _ => throw new ArgumentOutOfRangeException(nameof(flag)),
    };

    /// <summary>setns(2): moves the calling thread into the namespace open at <paramref name="fd"/>; nstype is the
    /// CLONE_NEW* flag the namespace must be of, or 0 for any.</summary>
    public static void SetNs(int fd, int nstype)
    {
        if (Syscall.Call(Syscall.SYS_setns, fd, nstype, 0, 0, 0) < 0)
        {
            string what = nstype == 0 ? "namespace" : $"{ProcName(nstype)} namespace";
            throw LinuxException.FromLastError($"setns into the {what} of fd {fd}");
        }
    }

    /// <summary>The inode that identifies the namespace at a /proc/PID/ns path (0 when it cannot be read).</summary>
    public static ulong Inode(string nsPath)
    {
        try
        {
            string? target = new FileInfo(nsPath).LinkTarget; // "pid:[4026531836]"
            if (target is null)
            {
                return 0;
            }

            int open = target.IndexOf('[');
            int close = target.IndexOf(']');
            return open > 0 && close > open && ulong.TryParse(target.AsSpan(open + 1, close - open - 1), out ulong ino) ? ino : 0;
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
