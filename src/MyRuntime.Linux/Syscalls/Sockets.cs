using System.Runtime.InteropServices;
using System.Text;

namespace MyRuntime.Linux;

/// <summary>Unix sockets: socketpair and connect.</summary>
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

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static unsafe partial nint SysRecvmsg(int fd, long* msg, int flags);

    /// <summary>Receives one descriptor sent with SCM_RIGHTS (made close-on-exec).</summary>
    public static unsafe int ReceiveFd(int socket)
    {
        byte* data = stackalloc byte[256];
        byte* control = stackalloc byte[64];
        new Span<byte>(control, 64).Clear();
        long* iov = stackalloc long[2];
        iov[0] = (long)data;
        iov[1] = 256;
        long* msg = stackalloc long[7];
        msg[0] = 0;
        msg[1] = 0;
        msg[2] = (long)iov;
        msg[3] = 1;
        msg[4] = (long)control;
        msg[5] = 64;
        msg[6] = 0;
        if (SysRecvmsg(socket, msg, 0x40000000 /* MSG_CMSG_CLOEXEC */) < 0)
        {
            throw LinuxException.FromLastError("receive the console descriptor");
        }

        if (msg[5] < 20 || *(int*)(control + 8) != SOL_SOCKET || *(int*)(control + 12) != SCM_RIGHTS)
        {
            throw new LinuxException("receive the console descriptor: none was sent", Errno.EIO);
        }

        return *(int*)(control + 16);
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

}
