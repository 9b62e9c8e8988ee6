using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>openat2(2): opening a path relative to a directory with limits on how it is resolved (a layer's
/// entries are resolved beneath the layer's root, never through a symlink that leads out of it).</summary>
public static unsafe class Openat2
{
    public const ulong RESOLVE_NO_XDEV = 0x01;
    public const ulong RESOLVE_NO_MAGICLINKS = 0x02;
    public const ulong RESOLVE_NO_SYMLINKS = 0x04;
    public const ulong RESOLVE_BENEATH = 0x08;
    public const ulong RESOLVE_IN_ROOT = 0x10;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>openat2 of <paramref name="path"/> relative to <paramref name="dirFd"/>; returns the new fd (close-on-exec)
    /// or -errno. EAGAIN (a concurrent rename while resolving beneath) is retried.</summary>
    public static int TryOpen(int dirFd, string path, int flags, ulong resolve, uint mode = 0)
    {
        var how = new OpenHow { Flags = (ulong)(uint)(flags | Files.O_CLOEXEC), Mode = mode, Resolve = resolve };
        byte[] name = PathBytes.Of(path);
        for (int attempt = 0; ; attempt++)
        {
            fixed (byte* p = name)
            {
                long fd = Syscall.Call(Syscall.SYS_openat2, dirFd, (long)p, (long)&how, sizeof(OpenHow), 0);
                if (fd >= 0)
                {
                    return (int)fd;
                }
            }

            int errno = Marshal.GetLastPInvokeError();
            if ((errno != Errno.EAGAIN && errno != Errno.EINTR) || attempt > 16)
            {
                return -errno;
            }
        }
    }

    /// <summary><see cref="TryOpen"/>, throwing a <see cref="LinuxException"/> naming <paramref name="what"/>.</summary>
    public static int Open(int dirFd, string path, int flags, ulong resolve, string what, uint mode = 0)
    {
        int fd = TryOpen(dirFd, path, flags, resolve, mode);
        return fd >= 0 ? fd : throw new LinuxException($"open {what}", -fd);
    }
}
