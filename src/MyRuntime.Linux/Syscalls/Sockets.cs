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
