using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>Pseudo-terminals on a devpts instance: unlock, slave number, controlling terminal, window size.</summary>
public static partial class Terminals
{
    private const ulong TIOCSCTTY = 0x540E;
    private const ulong TIOCGPTN = 0x80045430;
    private const ulong TIOCSPTLCK = 0x40045431;
    private const ulong TIOCGWINSZ = 0x5413;
    private const ulong TIOCSWINSZ = 0x5414;

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static unsafe partial int SysIoctl(int fd, ulong request, void* arg);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int SysIoctlInt(int fd, ulong request, long arg);

    /// <summary>Opens a new pty pair from the ptmx of a devpts mount; returns the master and the slave's path.</summary>
    public static unsafe (int Master, string SlavePath) OpenPty(string ptmxPath, string ptsDir)
    {
        int master = Files.Open(ptmxPath, Files.O_RDWR | Files.O_NOCTTY);
        try
        {
            int unlock = 0;
            if (SysIoctl(master, TIOCSPTLCK, &unlock) != 0)
            {
                throw LinuxException.FromLastError("unlock pty");
            }

            uint n;
            if (SysIoctl(master, TIOCGPTN, &n) != 0)
            {
                throw LinuxException.FromLastError("get pty number");
            }

            return (master, $"{ptsDir}/{n}");
        }
        catch
        {
            Files.Close(master);
            throw;
        }
    }

    public static void SetControlling(int fd)
    {
        if (SysIoctlInt(fd, TIOCSCTTY, 0) != 0)
        {
            throw LinuxException.FromLastError("set controlling terminal");
        }
    }

    public static unsafe (ushort Rows, ushort Cols) GetSize(int fd)
    {
        ushort* ws = stackalloc ushort[4];
        return SysIoctl(fd, TIOCGWINSZ, ws) == 0 ? (ws[0], ws[1]) : ((ushort)0, (ushort)0);
    }

    public static unsafe void SetSize(int fd, ushort rows, ushort cols)
    {
        ushort* ws = stackalloc ushort[4];
        ws[0] = rows;
        ws[1] = cols;
        ws[2] = 0;
        ws[3] = 0;
        _ = SysIoctl(fd, TIOCSWINSZ, ws);
    }
}
