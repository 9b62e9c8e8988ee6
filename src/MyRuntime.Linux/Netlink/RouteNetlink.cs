using System.Net;
using System.Runtime.InteropServices;
using static MyRuntime.Linux.Netlink.NetlinkConstants;

namespace MyRuntime.Linux.Netlink;

/// <summary>A NETLINK_ROUTE socket bound to the network namespace it was opened in, reused for any number of
/// requests (one at a time: not thread-safe). Every request asks for an ack; a kernel error becomes a
/// <see cref="LinuxException"/> with its errno and what was being done.</summary>
public sealed class RouteNetlink : IDisposable
{
    private const int ReceiveSize = 64 * 1024; // above the kernel's 32 KiB dump datagrams
    private const int ENODEV = 19;

    private readonly NetlinkWriter _writer = new(512);
    private readonly byte[] _receive = GC.AllocateUninitializedArray<byte>(ReceiveSize);
    private int _fd;
    private uint _sequence;

    private RouteNetlink(int fd)
    {
        _fd = fd;
    }

    private delegate void ReplyHandler(ushort type, ReadOnlySpan<byte> payload);

    /// <summary>A socket in the caller's network namespace.</summary>
    public static RouteNetlink Open() => new(NetlinkCalls.OpenRoute());

    /// <summary>A socket in the network namespace at <paramref name="netnsPath"/> (/proc/PID/ns/net, /run/netns/X):
    /// the calling thread enters it, makes the socket and returns to its own namespace, also on failure.</summary>
    public static RouteNetlink OpenIn(string netnsPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(netnsPath);
        int target = Files.Open(netnsPath, Files.O_RDONLY);
        try
        {
            int original = Files.Open("/proc/thread-self/ns/net", Files.O_RDONLY);
            try
            {
                try
                {
                    Namespaces.SetNs(target, Namespaces.CLONE_NEWNET);
                }
                catch (LinuxException e)
                {
                    throw new LinuxException($"enter the network namespace {netnsPath}", e.Errno);
                }

                int fd = -1;
                try
                {
                    fd = NetlinkCalls.OpenRoute();
                }
                finally
                {
                    try
                    {
                        Namespaces.SetNs(original, Namespaces.CLONE_NEWNET);
                    }
                    catch (LinuxException e)
                    {
                        Files.Close(fd);
                        throw new LinuxException($"return from the network namespace {netnsPath}", e.Errno);
                    }
                }

                return new RouteNetlink(fd);
            }
            finally
            {
                Files.Close(original);
            }
        }
        finally
        {
            Files.Close(target);
        }
    }

    /// <summary>The index of the link with this name, or null when there is none.</summary>
    public int? LinkIndex(string name)
    {
        uint seq = Next();
        int index = 0;
        try
        {
            Exchange(seq, RouteRequests.GetLink(_writer, seq, name), $"find link {name}", (type, payload) =>
            {
                if (type == RTM_NEWLINK && payload.Length >= IfInfoSize)
                {
                    index = MemoryMarshal.Read<int>(payload[4..]);
                }
            });
        }
        catch (LinuxException e) when (e.Errno == ENODEV)
        {
            return null;
        }

        return index > 0 ? index : throw new LinuxException($"find link {name}: the kernel answered without the link", Errno.EIO);
    }

    /// <summary>Creates a bridge; EEXIST when a link of that name exists.</summary>
    public void CreateBridge(string name)
    {
        uint seq = Next();
        Exchange(seq, RouteRequests.CreateBridge(_writer, seq, name), $"create bridge {name}");
    }

    /// <summary>Creates a veth pair: <paramref name="name"/> in this socket's namespace, <paramref name="peerName"/> in
    /// the network namespace open at <paramref name="peerNetnsFd"/> (-1: this socket's namespace too).</summary>
    public void CreateVeth(string name, string peerName, int peerNetnsFd)
    {
        uint seq = Next();
        Exchange(seq, RouteRequests.CreateVeth(_writer, seq, name, peerName, peerNetnsFd), $"create veth {name} with peer {peerName}");
    }

    /// <summary>Sets a link administratively up.</summary>
    public void SetUp(int index)
    {
        uint seq = Next();
        Exchange(seq, RouteRequests.SetUp(_writer, seq, index), $"set link {index} up");
    }

    /// <summary>Attaches a link to a master (a bridge); 0 detaches it.</summary>
    public void SetMaster(int index, int masterIndex)
    {
        uint seq = Next();
        Exchange(seq, RouteRequests.SetMaster(_writer, seq, index, masterIndex), $"attach link {index} to master {masterIndex}");
    }

    /// <summary>Deletes a link (a veth takes its peer with it); ENODEV when there is none with that index.</summary>
    public void DeleteLink(int index)
    {
        uint seq = Next();
        Exchange(seq, RouteRequests.DeleteLink(_writer, seq, index), $"delete link {index}");
    }

    /// <summary>Adds an IPv4 or IPv6 address to a link; EEXIST when it is already there.</summary>
    public void AddAddress(int index, IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        uint seq = Next();
        Exchange(seq, RouteRequests.AddAddress(_writer, seq, index, address, prefixLength), $"add address {address}/{prefixLength} to link {index}");
    }

    /// <summary>Adds a route in the main table via a gateway out of a link; a null destination is the default route.</summary>
    public void AddRoute(IPAddress? destination, int prefixLength, IPAddress gateway, int index)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        uint seq = Next();
        string to = destination is null ? "default" : $"{destination}/{prefixLength}";
        Exchange(seq, RouteRequests.AddRoute(_writer, seq, destination, prefixLength, gateway, index), $"add route {to} via {gateway} on link {index}");
    }

    /// <summary>Every link of this socket's namespace.</summary>
    public IReadOnlyList<LinkInfo> Links()
    {
        uint seq = Next();
        var links = new List<LinkInfo>();
        Exchange(seq, RouteRequests.DumpLinks(_writer, seq), "list links", (type, payload) =>
        {
            if (type == RTM_NEWLINK)
            {
                links.Add(RouteReplies.Link(payload));
            }
        });
        return links;
    }

    /// <summary>The IPv4 and IPv6 addresses of one link.</summary>
    public IReadOnlyList<AddressInfo> Addresses(int index)
    {
        uint seq = Next();
        var addresses = new List<AddressInfo>();
        Exchange(seq, RouteRequests.DumpAddresses(_writer, seq), $"list addresses of link {index}", (type, payload) =>
        {
            if (type == RTM_NEWADDR && RouteReplies.AddressIndex(payload) == index && RouteReplies.Address(payload) is { } address)
            {
                addresses.Add(address);
            }
        });
        return addresses;
    }

    public void Dispose()
    {
        Files.Close(_fd);
        _fd = -1;
    }

    private uint Next()
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        return ++_sequence;
    }

    /// <summary>Sends a request and reads replies with its sequence number until its ack (NLMSG_ERROR, error 0) or,
    /// for a dump, NLMSG_DONE; replies to earlier requests abandoned half-read are skipped.</summary>
    private void Exchange(uint seq, ReadOnlySpan<byte> request, string operation, ReplyHandler? onReply = null)
    {
        NetlinkCalls.Send(_fd, request, operation);
        while (true)
        {
            int received = NetlinkCalls.Receive(_fd, _receive, operation);
            var messages = new NetlinkMessageReader(_receive.AsSpan(0, received));
            while (messages.Next(out NetlinkMessage message))
            {
                if (message.Sequence != seq)
                {
                    continue;
                }

                switch (message.Type)
                {
                    case NLMSG_ERROR:
                        int errno = RouteReplies.Error(message.Flags, message.Payload, out string? detail);
                        if (errno != 0)
                        {
                            throw new LinuxException(detail is null ? operation : $"{operation} ({detail})", errno);
                        }

                        return;
                    case NLMSG_DONE:
                        int error = message.Payload.Length >= 4 ? -MemoryMarshal.Read<int>(message.Payload) : 0;
                        if (error != 0)
                        {
                            throw new LinuxException(operation, error);
                        }

                        return;
                    default:
                        onReply?.Invoke(message.Type, message.Payload);
                        break;
                }
            }
        }
    }
}
