using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>Namespace flags, setns(2), unshare(2), sethostname(2).</summary>
public static partial class Namespaces
{
    public const int CLONE_NEWNS = 0x00020000;
    public const int CLONE_NEWCGROUP = 0x02000000;
    public const int CLONE_NEWUTS = 0x04000000;
    public const int CLONE_NEWIPC = 0x08000000;
    public const int CLONE_NEWUSER = 0x10000000;
    public const int CLONE_NEWPID = 0x20000000;
    public const int CLONE_NEWNET = 0x40000000;
    public const int CLONE_NEWTIME = 0x00000080;

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    private static partial int SysUnshare(int flags);

    [LibraryImport("libc", EntryPoint = "sethostname", SetLastError = true)]
    private static unsafe partial int SysSethostname(byte* name, nint len);

    [LibraryImport("libc", EntryPoint = "setdomainname", SetLastError = true)]
    private static unsafe partial int SysSetdomainname(byte* name, nint len);

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

    public static void Unshare(int flags)
    {
        if (SysUnshare(flags) != 0)
        {
            throw LinuxException.FromLastError("unshare");
        }
    }

    public static unsafe void SetHostname(string name)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(name);
        fixed (byte* p = bytes)
        {
            if (SysSethostname(p, bytes.Length) != 0)
            {
                throw LinuxException.FromLastError($"sethostname {name}");
            }
        }
    }

    public static unsafe void SetDomainname(string name)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(name);
        fixed (byte* p = bytes)
        {
            if (SysSetdomainname(p, bytes.Length) != 0)
            {
                throw LinuxException.FromLastError($"setdomainname {name}");
            }
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
