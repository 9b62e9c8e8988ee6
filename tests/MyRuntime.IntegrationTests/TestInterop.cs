using System.Runtime.InteropServices;
using System.Text;

namespace MyRuntime.IntegrationTests;

/// <summary>
/// Minimal libc P/Invoke used by the tests (x86_64/aarch64 Linux, LP64 layouts):
/// a Unix stream socket listener that receives the console (pty master) fd by SCM_RIGHTS,
/// raw read/write/poll on that fd, and umount2 for safe cleanup.
/// </summary>
internal static unsafe partial class TestInterop
{
    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1;
    public const int SCM_RIGHTS = 1;
    public const int MSG_CMSG_CLOEXEC = 0x40000000;
    public const short POLLIN = 0x001;
    public const short POLLERR = 0x008;
    public const short POLLHUP = 0x010;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EIO = 5;
    public const int MNT_DETACH = 2;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Len;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CmsgHdr
    {
        public nuint Len;
        public int Level;
        public int Type;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, byte* addr, uint addrLen);

    [LibraryImport("libc", EntryPoint = "listen", SetLastError = true)]
    public static partial int Listen(int fd, int backlog);

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    public static partial int Accept4(int fd, void* addr, void* addrLen, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint nfds, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buf, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buf, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "posix_openpt", SetLastError = true)]
    public static partial int PosixOpenpt(int flags);

    [LibraryImport("libc", EntryPoint = "grantpt", SetLastError = true)]
    public static partial int Grantpt(int fd);

    [LibraryImport("libc", EntryPoint = "unlockpt", SetLastError = true)]
    public static partial int Unlockpt(int fd);

    [LibraryImport("libc", EntryPoint = "ptsname_r", SetLastError = true)]
    public static partial int PtsnameR(int fd, byte* buf, nuint len);

    public static int Errno => Marshal.GetLastPInvokeError();

    /// <summary>A new pty: the master's fd and the slave's path.</summary>
    public static (int Master, string Slave) OpenPty()
    {
        int master = PosixOpenpt(2 /* O_RDWR */ | 0x100 /* O_NOCTTY */ | 0x80000 /* O_CLOEXEC */);
        if (master < 0 || Grantpt(master) != 0 || Unlockpt(master) != 0)
        {
            throw new InvalidOperationException($"openpty: errno {Errno}");
        }

        byte* name = stackalloc byte[128];
        if (PtsnameR(master, name, 128) != 0)
        {
            throw new InvalidOperationException($"ptsname: errno {Errno}");
        }

        return (master, Marshal.PtrToStringUTF8((nint)name)!);
    }

    /// <summary>poll() a single fd for input, retrying on EINTR. Returns revents, or 0 on timeout.</summary>
    public static short PollIn(int fd, int timeoutMs)
    {
        var deadline = Environment.TickCount64 + Math.Max(0, timeoutMs);
        while (true)
        {
            var pfd = new PollFd { Fd = fd, Events = POLLIN };
            var remaining = (int)Math.Max(0, deadline - Environment.TickCount64);
            var r = Poll(&pfd, 1, remaining);
            if (r > 0)
            {
                return pfd.Revents;
            }

            if (r == 0)
            {
                return 0;
            }

            if (Errno != EINTR)
            {
                throw new IOException($"poll failed: errno {Errno}");
            }
        }
    }
}

/// <summary>
/// The test side of <c>--console-socket</c>: a listening AF_UNIX stream socket that accepts one
/// connection and receives the pty master fd via SCM_RIGHTS.
/// </summary>
internal sealed unsafe class ConsoleSocketListener : IDisposable
{
    private int _fd = -1;

    public ConsoleSocketListener(string path)
    {
        Path = path;
        var pathBytes = Encoding.UTF8.GetBytes(path);
        if (pathBytes.Length >= 108)
        {
            throw new ArgumentException("socket path too long: " + path);
        }

        _fd = TestInterop.Socket(TestInterop.AF_UNIX, TestInterop.SOCK_STREAM | TestInterop.SOCK_CLOEXEC, 0);
        if (_fd < 0)
        {
            throw new IOException($"socket failed: errno {TestInterop.Errno}");
        }

        var addr = stackalloc byte[110];
        new Span<byte>(addr, 110).Clear();
        *(ushort*)addr = TestInterop.AF_UNIX;
        pathBytes.CopyTo(new Span<byte>(addr + 2, 108));
        if (TestInterop.Bind(_fd, addr, (uint)(2 + pathBytes.Length + 1)) != 0)
        {
            throw new IOException($"bind({path}) failed: errno {TestInterop.Errno}");
        }

        if (TestInterop.Listen(_fd, 4) != 0)
        {
            throw new IOException($"listen failed: errno {TestInterop.Errno}");
        }
    }

    public string Path { get; }

    /// <summary>
    /// Accepts one connection and returns the first fd passed over it (the pty master).
    /// Throws TimeoutException if nothing connects/sends within <paramref name="timeout"/>.
    /// </summary>
    public PtyMaster AcceptPtyMaster(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        int Remaining() => (int)Math.Max(0, deadline - Environment.TickCount64);

        if (TestInterop.PollIn(_fd, Remaining()) == 0)
        {
            throw new TimeoutException("no connection on the console socket");
        }

        int conn;
        while ((conn = TestInterop.Accept4(_fd, null, null, TestInterop.SOCK_CLOEXEC)) < 0)
        {
            if (TestInterop.Errno != TestInterop.EINTR)
            {
                throw new IOException($"accept failed: errno {TestInterop.Errno}");
            }
        }

        try
        {
            if (TestInterop.PollIn(conn, Remaining()) == 0)
            {
                throw new TimeoutException("connected, but no message on the console socket");
            }

            var data = stackalloc byte[4096];
            var control = stackalloc byte[256];
            new Span<byte>(control, 256).Clear();
            var iov = new TestInterop.IoVec { Base = data, Len = 4096 };
            var msg = new TestInterop.MsgHdr
            {
                Iov = &iov,
                IovLen = 1,
                Control = control,
                ControlLen = 256,
            };

            nint n;
            while ((n = TestInterop.RecvMsg(conn, &msg, TestInterop.MSG_CMSG_CLOEXEC)) < 0)
            {
                if (TestInterop.Errno != TestInterop.EINTR)
                {
                    throw new IOException($"recvmsg failed: errno {TestInterop.Errno}");
                }
            }

            // Walk the control messages (CMSG_FIRSTHDR / CMSG_NXTHDR) looking for SCM_RIGHTS.
            var offset = 0;
            var hdrSize = sizeof(TestInterop.CmsgHdr);
            while (offset + hdrSize <= (int)msg.ControlLen)
            {
                var cmsg = (TestInterop.CmsgHdr*)(control + offset);
                if ((int)cmsg->Len < hdrSize)
                {
                    break;
                }

                if (cmsg->Level == TestInterop.SOL_SOCKET && cmsg->Type == TestInterop.SCM_RIGHTS
                    && (int)cmsg->Len >= hdrSize + sizeof(int))
                {
                    var fds = (int*)(control + offset + hdrSize);
                    var count = ((int)cmsg->Len - hdrSize) / sizeof(int);
                    for (var i = 1; i < count; i++)
                    {
                        TestInterop.Close(fds[i]);
                    }

                    var name = Encoding.UTF8.GetString(data, (int)n).TrimEnd('\0');
                    return new PtyMaster(fds[0], name);
                }

                offset += ((int)cmsg->Len + 7) & ~7;
            }

            throw new IOException($"console socket message ({n} bytes) carried no SCM_RIGHTS fd");
        }
        finally
        {
            TestInterop.Close(conn);
        }
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            TestInterop.Close(_fd);
            _fd = -1;
        }
    }
}

/// <summary>A received pty master fd: write keystrokes, read the terminal output.</summary>
internal sealed unsafe class PtyMaster : IDisposable
{
    private readonly StringBuilder _output = new();
    private int _fd;

    public PtyMaster(int fd, string name)
    {
        _fd = fd;
        Name = name;
    }

    /// <summary>The data sent alongside the fd (runc sends the pty path).</summary>
    public string Name { get; }

    public int Fd => _fd;

    /// <summary>Everything read from the terminal so far.</summary>
    public string Output => _output.ToString();

    public bool Eof { get; private set; }

    public void Write(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* p = bytes)
        {
            var done = 0;
            while (done < bytes.Length)
            {
                var n = TestInterop.Write(_fd, p + done, (nuint)(bytes.Length - done));
                if (n < 0)
                {
                    if (TestInterop.Errno is TestInterop.EINTR or TestInterop.EAGAIN)
                    {
                        continue;
                    }

                    throw new IOException($"write to pty master failed: errno {TestInterop.Errno}");
                }

                done += (int)n;
            }
        }
    }

    /// <summary>Reads until <paramref name="needle"/> appears in the output, EOF, or timeout.</summary>
    public bool ReadUntil(string needle, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!_output.ToString().Contains(needle, StringComparison.Ordinal))
        {
            var remaining = (int)(deadline - Environment.TickCount64);
            if (remaining <= 0 || Eof)
            {
                return false;
            }

            ReadOnce(remaining);
        }

        return true;
    }

    /// <summary>Reads until EOF (slave side closed everywhere) or timeout.</summary>
    public bool ReadUntilEof(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!Eof)
        {
            var remaining = (int)(deadline - Environment.TickCount64);
            if (remaining <= 0)
            {
                return false;
            }

            ReadOnce(remaining);
        }

        return true;
    }

    private void ReadOnce(int timeoutMs)
    {
        var revents = TestInterop.PollIn(_fd, timeoutMs);
        if (revents == 0)
        {
            return;
        }

        var buf = stackalloc byte[4096];
        var n = TestInterop.Read(_fd, buf, 4096);
        if (n > 0)
        {
            _output.Append(Encoding.UTF8.GetString(buf, (int)n));
            return;
        }

        if (n == 0 || TestInterop.Errno == TestInterop.EIO)
        {
            // EIO on a pty master means every slave fd is closed.
            Eof = true;
            return;
        }

        if (TestInterop.Errno is not (TestInterop.EINTR or TestInterop.EAGAIN))
        {
            throw new IOException($"read from pty master failed: errno {TestInterop.Errno}");
        }
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            TestInterop.Close(_fd);
            _fd = -1;
        }
    }
}
