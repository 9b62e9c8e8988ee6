using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace MyRuntime.Linux.Netlink;

/// <summary>Builds one netlink request at a time into a reused buffer: the nlmsghdr, a fixed family header,
/// then attributes (rtattr/nlattr: 16-bit length, 16-bit type, payload padded to 4 bytes), possibly nested.
/// Integers are in host byte order, as netlink wants them.</summary>
public sealed class NetlinkWriter
{
    private byte[] _buffer;
    private int _length;

    public NetlinkWriter(int capacity = 1024)
    {
        _buffer = new byte[Math.Max(capacity, 64)];
    }

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>Starts a new message (forgetting the previous one) with its header; the length is set by <see cref="End"/>.</summary>
    public void Begin(ushort type, ushort flags, uint sequence)
    {
        _length = 0;
        Span<byte> header = Reserve(NetlinkConstants.HeaderSize);
        MemoryMarshal.Write(header[4..], in type);
        MemoryMarshal.Write(header[6..], in flags);
        MemoryMarshal.Write(header[8..], in sequence);
        // nlmsg_pid stays 0: the kernel is the destination.
    }

    /// <summary>Sets nlmsg_len and returns the finished message.</summary>
    public ReadOnlySpan<byte> End()
    {
        uint length = (uint)_length;
        MemoryMarshal.Write(_buffer.AsSpan(0, 4), in length);
        return Written;
    }

    /// <summary>struct ifinfomsg: family, pad, type, index, flags, change.</summary>
    public void IfInfo(byte family, int index, uint flags, uint change)
    {
        Span<byte> s = Reserve(NetlinkConstants.IfInfoSize);
        s[0] = family;
        MemoryMarshal.Write(s[4..], in index);
        MemoryMarshal.Write(s[8..], in flags);
        MemoryMarshal.Write(s[12..], in change);
    }

    /// <summary>struct ifaddrmsg: family, prefix length, flags, scope, index.</summary>
    public void IfAddr(byte family, byte prefixLength, byte scope, int index)
    {
        Span<byte> s = Reserve(NetlinkConstants.IfAddrSize);
        s[0] = family;
        s[1] = prefixLength;
        s[3] = scope;
        MemoryMarshal.Write(s[4..], in index);
    }

    /// <summary>struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags.</summary>
    public void RtMsg(byte family, byte destinationLength, byte table, byte protocol, byte scope, byte type)
    {
        Span<byte> s = Reserve(NetlinkConstants.RtMsgSize);
        s[0] = family;
        s[1] = destinationLength;
        s[4] = table;
        s[5] = protocol;
        s[6] = scope;
        s[7] = type;
    }

    /// <summary>An attribute with a raw payload.</summary>
    public void Attribute(ushort type, ReadOnlySpan<byte> value)
    {
        Span<byte> s = Reserve(Align(4 + value.Length));
        ushort length = (ushort)(4 + value.Length);
        MemoryMarshal.Write(s, in length);
        MemoryMarshal.Write(s[2..], in type);
        value.CopyTo(s[4..]);
    }

    public void AttributeU32(ushort type, uint value) =>
        Attribute(type, MemoryMarshal.AsBytes(new ReadOnlySpan<uint>(in value)));

    public void AttributeI32(ushort type, int value) =>
        Attribute(type, MemoryMarshal.AsBytes(new ReadOnlySpan<int>(in value)));

    /// <summary>A NUL-terminated string attribute.</summary>
    public void AttributeString(ushort type, string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        Span<byte> bytes = count < 256 ? stackalloc byte[count + 1] : new byte[count + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        bytes[count] = 0;
        Attribute(type, bytes);
    }

    /// <summary>An address attribute: 4 bytes for IPv4, 16 for IPv6, in network byte order.</summary>
    public void AttributeAddress(ushort type, IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written))
        {
            throw new ArgumentException($"address {address} cannot be written", nameof(address));
        }

        Attribute(type, bytes[..written]);
    }

    /// <summary>Opens a nested attribute; pass the returned offset to <see cref="EndNested"/> after its children.</summary>
    public int BeginNested(ushort type)
    {
        int start = _length;
        Span<byte> s = Reserve(4);
        MemoryMarshal.Write(s[2..], in type);
        return start;
    }

    /// <summary>Closes a nested attribute: its length covers its (padded) children.</summary>
    public void EndNested(int start)
    {
        ushort length = (ushort)(_length - start);
        MemoryMarshal.Write(_buffer.AsSpan(start, 2), in length);
    }

    /// <summary>Rounds up to the 4-byte alignment of netlink messages and attributes.</summary>
    public static int Align(int length) => (length + 3) & ~3;

    internal static byte Family(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => NetlinkConstants.AF_INET,
        AddressFamily.InterNetworkV6 => NetlinkConstants.AF_INET6,
        _ => throw new ArgumentException($"address {address} is neither IPv4 nor IPv6", nameof(address)),
    };

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }

        Span<byte> s = _buffer.AsSpan(_length, count);
        s.Clear();
        _length += count;
        return s;
    }
}
