using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using static MyRuntime.Linux.Netlink.NetlinkConstants;

namespace MyRuntime.Linux.Netlink;

/// <summary>Decodes the payloads of rtnetlink replies: error acks, links and addresses.</summary>
public static class RouteReplies
{
    /// <summary>An NLMSG_ERROR payload (struct nlmsgerr): the errno as a positive number (0 for an ack) and the
    /// kernel's extended-ack text when it sent one (NLMSGERR_ATTR_MSG).</summary>
    public static int Error(ushort flags, ReadOnlySpan<byte> payload, out string? detail)
    {
        detail = null;
        if (payload.Length < 4 + HeaderSize)
        {
            throw new LinuxException($"netlink reply: error message of {payload.Length} bytes is too short", Errno.EIO);
        }

        int error = MemoryMarshal.Read<int>(payload);
        if ((flags & NLM_F_ACK_TLVS) != 0)
        {
            int echoed = (flags & NLM_F_CAPPED) != 0 ? HeaderSize : (int)MemoryMarshal.Read<uint>(payload[4..]);
            int offset = 4 + NetlinkWriter.Align(echoed);
            if (offset <= payload.Length)
            {
                var attributes = new NetlinkAttributeReader(payload[offset..]);
                while (attributes.Next(out ushort type, out ReadOnlySpan<byte> value))
                {
                    if (type == NLMSGERR_ATTR_MSG)
                    {
                        detail = String(value);
                    }
                }
            }
        }

        return -error;
    }

    /// <summary>An RTM_NEWLINK payload (ifinfomsg and its attributes).</summary>
    public static LinkInfo Link(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < IfInfoSize)
        {
            throw new LinuxException($"netlink reply: link message of {payload.Length} bytes is too short", Errno.EIO);
        }

        int index = MemoryMarshal.Read<int>(payload[4..]);
        uint flags = MemoryMarshal.Read<uint>(payload[8..]);
        string? name = null;
        string? kind = null;
        int master = 0;
        var attributes = new NetlinkAttributeReader(payload[IfInfoSize..]);
        while (attributes.Next(out ushort type, out ReadOnlySpan<byte> value))
        {
            switch (type)
            {
                case IFLA_IFNAME:
                    name = String(value);
                    break;
                case IFLA_MASTER when value.Length >= 4:
                    master = MemoryMarshal.Read<int>(value);
                    break;
                case IFLA_LINKINFO:
                    var info = new NetlinkAttributeReader(value);
                    while (info.Next(out ushort infoType, out ReadOnlySpan<byte> infoValue))
                    {
                        if (infoType == IFLA_INFO_KIND)
                        {
                            kind = String(infoValue);
                        }
                    }

                    break;
            }
        }

        if (name is null)
        {
            throw new LinuxException($"netlink reply: link {index} has no name", Errno.EIO);
        }

        return new LinkInfo(index, name, kind, master, (flags & IFF_UP) != 0);
    }

    /// <summary>The link index of an RTM_NEWADDR payload (to filter before decoding).</summary>
    public static int AddressIndex(ReadOnlySpan<byte> payload) =>
        payload.Length < IfAddrSize
            ? throw new LinuxException($"netlink reply: address message of {payload.Length} bytes is too short", Errno.EIO)
            : MemoryMarshal.Read<int>(payload[4..]);

    /// <summary>An RTM_NEWADDR payload: IFA_LOCAL when present (the interface's own address on IPv4 point-to-point
    /// links), else IFA_ADDRESS. Null for families other than IPv4 and IPv6.</summary>
    public static AddressInfo? Address(ReadOnlySpan<byte> payload)
    {
        int index = AddressIndex(payload);
        byte family = payload[0];
        int size = family switch
        {
            AF_INET => 4,
            AF_INET6 => 16,
            _ => 0,
        };
        if (size == 0)
        {
            return null;
        }

        ReadOnlySpan<byte> local = default;
        ReadOnlySpan<byte> address = default;
        var attributes = new NetlinkAttributeReader(payload[IfAddrSize..]);
        while (attributes.Next(out ushort type, out ReadOnlySpan<byte> value))
        {
            if (type == IFA_LOCAL && value.Length == size)
            {
                local = value;
            }
            else if (type == IFA_ADDRESS && value.Length == size)
            {
                address = value;
            }
        }

        ReadOnlySpan<byte> chosen = local.IsEmpty ? address : local;
        if (chosen.IsEmpty)
        {
            throw new LinuxException($"netlink reply: address message for link {index} has no address", Errno.EIO);
        }

        var ip = new IPAddress(chosen);
        if (ip.IsIPv6LinkLocal)
        {
            ip.ScopeId = index; // as in fe80::1%eth0
        }

        return new AddressInfo(index, ip, payload[1]);
    }

    private static string String(ReadOnlySpan<byte> value)
    {
        int nul = value.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? value[..nul] : value);
    }
}
