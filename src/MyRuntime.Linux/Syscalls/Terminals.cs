using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>The caller's terminal: raw mode and back, and window sizes (tcgetattr, tcsetattr, cfmakeraw, ioctl).</summary>
public static partial class Terminals
{
    private const ulong TIOCGWINSZ = 0x5413;
    private const ulong TIOCSWINSZ = 0x5414;
    private const int TermiosSize = 60; // struct termios on x86_64 glibc

    [LibraryImport("libc", EntryPoint = "isatty")]
    private static partial int SysIsatty(int fd);

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    private static unsafe partial int SysTcgetattr(int fd, byte* termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    private static unsafe partial int SysTcsetattr(int fd, int action, byte* termios);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    private static unsafe partial void SysCfmakeraw(byte* termios);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static unsafe partial int SysIoctl(int fd, ulong request, void* arg);

    public static bool IsTerminal(int fd) => SysIsatty(fd) == 1;

    /// <summary>Puts a terminal in raw mode; returns its previous settings for <see cref="Restore"/>.</summary>
    public static unsafe byte[] MakeRaw(int fd)
    {
        byte[] saved = new byte[TermiosSize];
        byte* raw = stackalloc byte[TermiosSize];
        fixed (byte* s = saved)
        {
            if (SysTcgetattr(fd, s) != 0)
            {
                throw LinuxException.FromLastError("tcgetattr");
            }

            Buffer.MemoryCopy(s, raw, TermiosSize, TermiosSize);
        }

        SysCfmakeraw(raw);
        if (SysTcsetattr(fd, 0 /* TCSANOW */, raw) != 0)
        {
            throw LinuxException.FromLastError("tcsetattr");
        }

        return saved;
    }

    public static unsafe void Restore(int fd, byte[] saved)
    {
        fixed (byte* s = saved)
        {
            _ = SysTcsetattr(fd, 0, s);
        }
    }

    /// <summary>Copies the window size of one terminal to another (a pty master).</summary>
    public static unsafe void CopySize(int from, int to)
    {
        ushort* ws = stackalloc ushort[4];
        if (SysIoctl(from, TIOCGWINSZ, ws) == 0)
        {
            _ = SysIoctl(to, TIOCSWINSZ, ws);
        }
    }
}
