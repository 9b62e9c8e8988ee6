using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>File descriptors and special files: open, close, dup, fcntl, pipes, FIFOs, device nodes, flock.</summary>
public static partial class Files
{
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NOCTTY = 0x100;
    public const int O_TRUNC = 0x200;
    public const int O_APPEND = 0x400;
    public const int O_NONBLOCK = 0x800;
    public const int O_DIRECTORY = 0x10000;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;
    public const int O_PATH = 0x200000;

    public const int F_GETFD = 1;
    public const int F_SETFD = 2;
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int FD_CLOEXEC = 1;

    public const int LOCK_SH = 1;
    public const int LOCK_EX = 2;
    public const int LOCK_UN = 8;
    public const int LOCK_NB = 4;

    public const uint S_IFMT = 0xF000;
    public const uint S_IFIFO = 0x1000;
    public const uint S_IFCHR = 0x2000;
    public const uint S_IFDIR = 0x4000;
    public const uint S_IFBLK = 0x6000;
    public const uint S_IFREG = 0x8000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysOpen(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int SysClose(int fd);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int SysFcntl(int fd, int cmd, int arg);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static unsafe partial int SysPipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysMkfifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysMkdir(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysChmod(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint SysRead(int fd, byte* buf, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint SysWrite(int fd, byte* buf, nint count);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int SysFlock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysAccess(string path, int mode);

    public static int Open(string path, int flags, uint mode = 0)
    {
        int fd = SysOpen(path, flags | O_CLOEXEC, mode);
        if (fd < 0)
        {
            throw LinuxException.FromLastError($"open {path}");
        }

        return fd;
    }

    public static void Close(int fd)
    {
        if (fd >= 0)
        {
            _ = SysClose(fd);
        }
    }

    public static void SetCloexec(int fd, bool on)
    {
        if (SysFcntl(fd, F_SETFD, on ? FD_CLOEXEC : 0) < 0)
        {
            throw LinuxException.FromLastError($"fcntl F_SETFD on fd {fd}");
        }
    }

    public static unsafe (int Read, int Write) Pipe()
    {
        int* fds = stackalloc int[2];
        if (SysPipe2(fds, O_CLOEXEC) != 0)
        {
            throw LinuxException.FromLastError("pipe2");
        }

        return (fds[0], fds[1]);
    }

    public static void MakeFifo(string path, uint mode)
    {
        if (SysMkfifo(path, mode) != 0)
        {
            throw LinuxException.FromLastError($"mkfifo {path}");
        }
    }

    /// <summary>mkdir(2): fails with EEXIST when the directory is already there (atomic "take this name").</summary>
    public static void Mkdir(string path, uint mode)
    {
        if (SysMkdir(path, mode) != 0)
        {
            throw LinuxException.FromLastError($"mkdir {path}");
        }
    }

    public static ulong MakeDev(long major, long minor) =>
        (ulong)(((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL));

    public static void Chmod(string path, uint mode)
    {
        if (SysChmod(path, mode) != 0)
        {
            throw LinuxException.FromLastError($"chmod {path}");
        }
    }

    public static unsafe int Read(int fd, Span<byte> buffer)
    {
        while (true)
        {
            fixed (byte* p = buffer)
            {
                nint n = SysRead(fd, p, buffer.Length);
                if (n >= 0)
                {
                    return (int)n;
                }
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                throw new LinuxException($"read fd {fd}", errno);
            }
        }
    }

    /// <summary>read(2) returning -errno instead of throwing (EAGAIN on a non-blocking fd is a normal answer).</summary>
    public static unsafe int TryRead(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            nint n = SysRead(fd, p, buffer.Length);
            return n >= 0 ? (int)n : -Marshal.GetLastPInvokeError();
        }
    }

    public static unsafe void WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint n = SysWrite(fd, p + done, data.Length - done);
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR)
                    {
                        continue;
                    }

                    throw new LinuxException($"write fd {fd}", errno);
                }

                done += (int)n;
            }
        }
    }

    /// <summary>Copies everything <paramref name="from"/> delivers to <paramref name="to"/> until its end of file, or
    /// until either side fails (EIO from a pty whose last slave closed, EPIPE from a reader that left).</summary>
    public static void CopyUntilEnd(int from, int to)
    {
        byte[] buffer = new byte[16384];
        try
        {
            while (true)
            {
                int n = Read(from, buffer);
                if (n <= 0)
                {
                    return;
                }

                WriteAll(to, buffer.AsSpan(0, n));
            }
        }
        catch (LinuxException)
        {
            // one side is gone: the copy is over
        }
    }

    /// <summary>flock with LOCK_NB: false when another holder has it.</summary>
    public static bool TryFlock(int fd, int operation)
    {
        while (SysFlock(fd, operation | LOCK_NB) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EAGAIN)
            {
                return false;
            }

            if (errno != Errno.EINTR)
            {
                throw new LinuxException("flock", errno);
            }
        }

        return true;
    }

    public static void Flock(int fd, int operation)
    {
        while (SysFlock(fd, operation) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                throw new LinuxException("flock", errno);
            }
        }
    }

    /// <summary>access(2) with X_OK.</summary>
    public static bool IsExecutable(string path) => SysAccess(path, 1) == 0;

    /// <summary>access(2) with W_OK.</summary>
    public static bool CanWrite(string path) => SysAccess(path, 2) == 0;

}
