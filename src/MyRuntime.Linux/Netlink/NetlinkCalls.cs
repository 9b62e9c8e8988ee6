using System.Runtime.InteropServices;
using static MyRuntime.Linux.Netlink.NetlinkConstants;

namespace MyRuntime.Linux.Netlink;

/// <summary>The socket calls of a NETLINK_ROUTE socket: socket, setsockopt, bind, sendto, recvfrom.</summary>
internal static unsafe partial class NetlinkCalls
{
    private const int SOCK_RAW = 3;
    private const int SOCK_CLOEXEC = 0x80000;
    private const int MSG_TRUNC = 0x20;
    private const int SockaddrSize = 12; // struct sockaddr_nl: family, pad, pid, groups

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int SysSocket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SysSetsockopt(int fd, int level, int name, int* value, int length);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int SysBind(int fd, byte* address, int length);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    private static partial nint SysSendto(int fd, byte* buffer, nint length, int flags, byte* address, int addressLength);

    [LibraryImport("libc", EntryPoint = "recvfrom", SetLastError = true)]
    private static partial nint SysRecvfrom(int fd, byte* buffer, nint length, int flags, byte* address, int* addressLength);

    /// <summary>A close-on-exec NETLINK_ROUTE socket in the calling thread's network namespace, bound to a port
    /// the kernel picks, with extended acks on and echoed requests off.</summary>
    public static int OpenRoute()
    {
        int fd = SysSocket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
        {
            throw LinuxException.FromLastError("open a route netlink socket");
        }

        try
        {
            int on = 1;
            // Both are best effort: older kernels lack them and then send plain errors.
            _ = SysSetsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof(int));
            _ = SysSetsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof(int));
            byte* address = stackalloc byte[SockaddrSize];
            KernelAddress(address);
            if (SysBind(fd, address, SockaddrSize) != 0)
            {
                throw LinuxException.FromLastError("bind a route netlink socket");
            }

            return fd;
        }
        catch
        {
            Files.Close(fd);
            throw;
        }
    }

    /// <summary>Sends one request to the kernel.</summary>
    public static void Send(int fd, ReadOnlySpan<byte> message, string operation)
    {
        byte* address = stackalloc byte[SockaddrSize];
        KernelAddress(address);
        fixed (byte* p = message)
        {
            nint sent;
            do
            {
                sent = SysSendto(fd, p, message.Length, 0, address, SockaddrSize);
            }
            while (sent < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);

            if (sent < 0)
            {
                throw LinuxException.FromLastError($"{operation}: send the netlink request");
            }

            if (sent != message.Length)
            {
                throw new LinuxException($"{operation}: netlink request sent short ({sent} of {message.Length} bytes)", Errno.EIO);
            }
        }
    }

    /// <summary>Receives one datagram from the kernel (datagrams from other ports are dropped); a datagram larger
    /// than the buffer throws.</summary>
    public static int Receive(int fd, Span<byte> buffer, string operation)
    {
        byte* address = stackalloc byte[SockaddrSize];
        fixed (byte* p = buffer)
        {
            while (true)
            {
                int addressLength = SockaddrSize;
                nint received = SysRecvfrom(fd, p, buffer.Length, MSG_TRUNC, address, &addressLength);
                if (received < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Errno.EINTR)
                    {
                        continue;
                    }

                    throw LinuxException.FromLastError($"{operation}: receive the netlink reply");
                }

                if (received > buffer.Length)
                {
                    throw new LinuxException($"{operation}: netlink reply of {received} bytes exceeds the {buffer.Length} byte buffer", Errno.EIO);
                }

                if (addressLength >= 8 && *(uint*)(address + 4) != 0)
                {
                    continue; // not from the kernel
                }

                return (int)received;
            }
        }
    }

    private static void KernelAddress(byte* address)
    {
        new Span<byte>(address, SockaddrSize).Clear();
        *(ushort*)address = AF_NETLINK;
    }
}
