using System.Runtime.InteropServices;
using System.Text;

namespace MyRuntime.Linux;

/// <summary>Unix sockets: socketpair, connect, and passing descriptors with SCM_RIGHTS.</summary>
public static partial class Sockets
{
    private const int AF_UNIX = 1;
    private const int SOCK_STREAM = 1;
    private const int SOCK_CLOEXEC = 0x80000;
    private const int SOL_SOCKET = 1;
    private const int SCM_RIGHTS = 1;

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    private static unsafe partial int SysSocketpair(int domain, int type, int protocol, int* sv);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int SysSocket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    private static unsafe partial int SysConnect(int fd, byte* addr, int len);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static unsafe partial int SysBind(int fd, byte* addr, int len);

    [LibraryImport("libc", EntryPoint = "listen", SetLastError = true)]
    private static partial int SysListen(int fd, int backlog);

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    private static partial int SysAccept4(int fd, nint addr, nint len, int flags);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static unsafe partial nint SysSendmsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static unsafe partial nint SysRecvmsg(int fd, MsgHdr* msg, int flags);

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct IoVec
    {
        public byte* Base;
        public nuint Len;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct MsgHdr
    {
        public byte* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public byte* Control;
        public nuint ControlLen;
        public int Flags;
    }

    public static unsafe (int A, int B) Pair()
    {
        int* sv = stackalloc int[2];
        if (SysSocketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        {
            throw LinuxException.FromLastError("socketpair");
        }

        return (sv[0], sv[1]);
    }

    private static unsafe int Address(string path, byte* addr)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= 108)
        {
            throw new LinuxException($"socket path {path} is too long", Errno.EINVAL);
        }

        new Span<byte>(addr, 110).Clear();
        *(ushort*)addr = AF_UNIX;
        bytes.CopyTo(new Span<byte>(addr + 2, 108));
        return 2 + bytes.Length + 1;
    }

    /// <summary>Connects a stream socket to a Unix socket path.</summary>
    public static unsafe int Connect(string path)
    {
        int fd = SysSocket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw LinuxException.FromLastError("socket");
        }

        byte* addr = stackalloc byte[110];
        int len = Address(path, addr);
        if (SysConnect(fd, addr, len) != 0)
        {
            var e = LinuxException.FromLastError($"connect to {path}");
            Files.Close(fd);
            throw e;
        }

        return fd;
    }

    /// <summary>A listening Unix stream socket at path.</summary>
    public static unsafe int Listen(string path)
    {
        int fd = SysSocket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw LinuxException.FromLastError("socket");
        }

        byte* addr = stackalloc byte[110];
        int len = Address(path, addr);
        if (SysBind(fd, addr, len) != 0 || SysListen(fd, 16) != 0)
        {
            var e = LinuxException.FromLastError($"listen on {path}");
            Files.Close(fd);
            throw e;
        }

        return fd;
    }

    public static int Accept(int fd)
    {
        int c = SysAccept4(fd, 0, 0, SOCK_CLOEXEC);
        return c < 0 ? throw LinuxException.FromLastError("accept") : c;
    }

    /// <summary>Sends one descriptor with a short text (runc sends the pty name with the console master).</summary>
    public static unsafe void SendFd(int socket, int fd, string text)
    {
        byte[] data = Encoding.UTF8.GetBytes(text.Length == 0 ? " " : text);
        byte* control = stackalloc byte[24];
        new Span<byte>(control, 24).Clear();
        *(nuint*)control = 20; // cmsg_len = CMSG_LEN(sizeof(int))
        *(int*)(control + 8) = SOL_SOCKET;
        *(int*)(control + 12) = SCM_RIGHTS;
        *(int*)(control + 16) = fd;
        fixed (byte* d = data)
        {
            var iov = new IoVec { Base = d, Len = (nuint)data.Length };
            var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = 24 };
            if (SysSendmsg(socket, &msg, 0) < 0)
            {
                throw LinuxException.FromLastError("send descriptor over the console socket");
            }
        }
    }

    /// <summary>Receives one descriptor sent with SCM_RIGHTS (made close-on-exec); returns it and the text.</summary>
    public static unsafe (int Fd, string Text) ReceiveFd(int socket)
    {
        byte* data = stackalloc byte[4096];
        byte* control = stackalloc byte[64];
        new Span<byte>(control, 64).Clear();
        var iov = new IoVec { Base = data, Len = 4096 };
        var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = 64 };
        nint n = SysRecvmsg(socket, &msg, 0x40000000 /* MSG_CMSG_CLOEXEC */);
        if (n < 0)
        {
            throw LinuxException.FromLastError("recvmsg");
        }

        if (msg.ControlLen < 20 || *(int*)(control + 8) != SOL_SOCKET || *(int*)(control + 12) != SCM_RIGHTS)
        {
            throw new LinuxException("recvmsg: no descriptor received", Errno.EIO);
        }

        return (*(int*)(control + 16), Encoding.UTF8.GetString(data, (int)n).Trim());
    }
}
