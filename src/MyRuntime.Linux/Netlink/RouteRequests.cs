using System.Net;
using System.Net.Sockets;
using System.Text;
using static MyRuntime.Linux.Netlink.NetlinkConstants;

namespace MyRuntime.Linux.Netlink;

/// <summary>The rtnetlink requests <see cref="RouteNetlink"/> sends, built into a <see cref="NetlinkWriter"/>
/// (every one asks for an ack). Each returns the finished message.</summary>
public static class RouteRequests
{
    private const ushort Ack = NLM_F_REQUEST | NLM_F_ACK;
    private const ushort Create = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;

    /// <summary>RTM_GETLINK for one link by name.</summary>
    public static ReadOnlySpan<byte> GetLink(NetlinkWriter w, uint sequence, string name)
    {
        CheckName(name);
        w.Begin(RTM_GETLINK, Ack, sequence);
        w.IfInfo(AF_UNSPEC, 0, 0, 0);
        w.AttributeString(IFLA_IFNAME, name);
        return w.End();
    }

    /// <summary>RTM_GETLINK dump of every link.</summary>
    public static ReadOnlySpan<byte> DumpLinks(NetlinkWriter w, uint sequence)
    {
        w.Begin(RTM_GETLINK, Ack | NLM_F_DUMP, sequence);
        w.IfInfo(AF_UNSPEC, 0, 0, 0);
        return w.End();
    }

    /// <summary>RTM_GETADDR dump of every address (all families).</summary>
    public static ReadOnlySpan<byte> DumpAddresses(NetlinkWriter w, uint sequence)
    {
        w.Begin(RTM_GETADDR, Ack | NLM_F_DUMP, sequence);
        w.IfAddr(AF_UNSPEC, 0, 0, 0);
        return w.End();
    }

    /// <summary>RTM_NEWLINK creating a bridge (fails with EEXIST when the name is taken).</summary>
    public static ReadOnlySpan<byte> CreateBridge(NetlinkWriter w, uint sequence, string name)
    {
        CheckName(name);
        w.Begin(RTM_NEWLINK, Create, sequence);
        w.IfInfo(AF_UNSPEC, 0, 0, 0);
        w.AttributeString(IFLA_IFNAME, name);
        int info = w.BeginNested(IFLA_LINKINFO);
        w.AttributeString(IFLA_INFO_KIND, "bridge");
        w.EndNested(info);
        return w.End();
    }

    /// <summary>RTM_NEWLINK creating a veth pair; the peer is created in the netns of <paramref name="peerNetnsFd"/>
    /// (IFLA_NET_NS_FD in the peer's own attributes), or beside the first end when it is -1.</summary>
    public static ReadOnlySpan<byte> CreateVeth(NetlinkWriter w, uint sequence, string name, string peerName, int peerNetnsFd)
    {
        CheckName(name);
        CheckName(peerName);
        if (peerNetnsFd < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(peerNetnsFd), $"network namespace descriptor {peerNetnsFd} is invalid");
        }

        w.Begin(RTM_NEWLINK, Create, sequence);
        w.IfInfo(AF_UNSPEC, 0, 0, 0);
        w.AttributeString(IFLA_IFNAME, name);
        int info = w.BeginNested(IFLA_LINKINFO);
        w.AttributeString(IFLA_INFO_KIND, "veth");
        int data = w.BeginNested(IFLA_INFO_DATA);
        int peer = w.BeginNested(VETH_INFO_PEER);
        w.IfInfo(AF_UNSPEC, 0, 0, 0);
        w.AttributeString(IFLA_IFNAME, peerName);
        if (peerNetnsFd >= 0)
        {
            w.AttributeI32(IFLA_NET_NS_FD, peerNetnsFd);
        }

        w.EndNested(peer);
        w.EndNested(data);
        w.EndNested(info);
        return w.End();
    }

    /// <summary>RTM_NEWLINK on an existing link setting IFF_UP.</summary>
    public static ReadOnlySpan<byte> SetUp(NetlinkWriter w, uint sequence, int index)
    {
        CheckIndex(index);
        w.Begin(RTM_NEWLINK, Ack, sequence);
        w.IfInfo(AF_UNSPEC, index, IFF_UP, IFF_UP);
        return w.End();
    }

    /// <summary>RTM_NEWLINK on an existing link setting IFLA_MASTER (0 detaches).</summary>
    public static ReadOnlySpan<byte> SetMaster(NetlinkWriter w, uint sequence, int index, int masterIndex)
    {
        CheckIndex(index);
        if (masterIndex < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(masterIndex), $"link index {masterIndex} is invalid");
        }

        w.Begin(RTM_NEWLINK, Ack, sequence);
        w.IfInfo(AF_UNSPEC, index, 0, 0);
        w.AttributeU32(IFLA_MASTER, (uint)masterIndex);
        return w.End();
    }

    /// <summary>RTM_DELLINK by index.</summary>
    public static ReadOnlySpan<byte> DeleteLink(NetlinkWriter w, uint sequence, int index)
    {
        CheckIndex(index);
        w.Begin(RTM_DELLINK, Ack, sequence);
        w.IfInfo(AF_UNSPEC, index, 0, 0);
        return w.End();
    }

    /// <summary>RTM_NEWADDR: IFA_LOCAL and IFA_ADDRESS, and for IPv4 the broadcast address of the subnet
    /// (none for /31 and /32), in universe scope.</summary>
    public static ReadOnlySpan<byte> AddAddress(NetlinkWriter w, uint sequence, int index, IPAddress address, int prefixLength)
    {
        CheckIndex(index);
        byte family = NetlinkWriter.Family(address);
        CheckPrefix(address, prefixLength);
        w.Begin(RTM_NEWADDR, Create, sequence);
        w.IfAddr(family, (byte)prefixLength, RT_SCOPE_UNIVERSE, index);
        w.AttributeAddress(IFA_LOCAL, address);
        w.AttributeAddress(IFA_ADDRESS, address);
        if (family == AF_INET && prefixLength < 31)
        {
            Span<byte> bytes = stackalloc byte[4];
            address.TryWriteBytes(bytes, out _);
            uint host = uint.MaxValue >> prefixLength;
            uint value = ((uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3]) | host;
            bytes[0] = (byte)(value >> 24);
            bytes[1] = (byte)(value >> 16);
            bytes[2] = (byte)(value >> 8);
            bytes[3] = (byte)value;
            w.Attribute(IFA_BROADCAST, bytes);
        }

        return w.End();
    }

    /// <summary>RTM_NEWROUTE in the main table via a gateway out of a link; a null destination is the default route.</summary>
    public static ReadOnlySpan<byte> AddRoute(NetlinkWriter w, uint sequence, IPAddress? destination, int prefixLength, IPAddress gateway, int index)
    {
        CheckIndex(index);
        byte family = NetlinkWriter.Family(gateway);
        if (destination is null)
        {
            if (prefixLength != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(prefixLength), $"a default route has prefix length 0, not {prefixLength}");
            }
        }
        else
        {
            if (NetlinkWriter.Family(destination) != family)
            {
                throw new ArgumentException($"route to {destination} via {gateway} mixes IPv4 and IPv6", nameof(gateway));
            }

            CheckPrefix(destination, prefixLength);
        }

        w.Begin(RTM_NEWROUTE, Create, sequence);
        w.RtMsg(family, (byte)prefixLength, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST);
        if (destination is not null)
        {
            w.AttributeAddress(RTA_DST, destination);
        }

        w.AttributeAddress(RTA_GATEWAY, gateway);
        w.AttributeU32(RTA_OIF, (uint)index);
        return w.End();
    }

    /// <summary>Interface names are 1 to 15 bytes (IFNAMSIZ - 1) without '/', ':' or whitespace.</summary>
    public static void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes is 0 or > 15 || name is "." or ".." || name.AsSpan().IndexOfAny("/: \t\n\r\0") >= 0)
        {
            throw new ArgumentException($"interface name '{name}' is invalid (1 to 15 bytes, no '/', ':' or whitespace)", nameof(name));
        }
    }

    private static void CheckIndex(int index)
    {
        if (index <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"link index {index} is invalid");
        }
    }

    private static void CheckPrefix(IPAddress address, int prefixLength)
    {
        int max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max)
        {
            throw new ArgumentOutOfRangeException(nameof(prefixLength), $"prefix length {prefixLength} is invalid for {address}");
        }
    }
}
