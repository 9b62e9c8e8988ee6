using System.Runtime.InteropServices;

namespace MyRuntime.Linux.Netlink;

/// <summary>One netlink message of a datagram: its header fields and its payload (after the 16-byte nlmsghdr).</summary>
public readonly ref struct NetlinkMessage
{
    public NetlinkMessage(ushort type, ushort flags, uint sequence, uint portId, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Flags = flags;
        Sequence = sequence;
        PortId = portId;
        Payload = payload;
    }

    public ushort Type { get; }
    public ushort Flags { get; }
    public uint Sequence { get; }
    public uint PortId { get; }
    public ReadOnlySpan<byte> Payload { get; }
}

/// <summary>Walks the messages of a received datagram (each nlmsg_len long, the next at its 4-byte aligned end).</summary>
public ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _rest;

    public NetlinkMessageReader(ReadOnlySpan<byte> datagram)
    {
        _rest = datagram;
    }

    /// <summary>The next message; false at the end. A truncated or malformed header throws (EIO).</summary>
    public bool Next(out NetlinkMessage message)
    {
        if (_rest.IsEmpty)
        {
            message = default;
            return false;
        }

        if (_rest.Length < NetlinkConstants.HeaderSize)
        {
            throw new LinuxException($"netlink reply: {_rest.Length} stray bytes after the last message", Errno.EIO);
        }

        uint length = MemoryMarshal.Read<uint>(_rest);
        if (length < NetlinkConstants.HeaderSize || length > _rest.Length)
        {
            throw new LinuxException($"netlink reply: message length {length} does not fit the {_rest.Length} bytes left", Errno.EIO);
        }

        message = new NetlinkMessage(
            MemoryMarshal.Read<ushort>(_rest[4..]),
            MemoryMarshal.Read<ushort>(_rest[6..]),
            MemoryMarshal.Read<uint>(_rest[8..]),
            MemoryMarshal.Read<uint>(_rest[12..]),
            _rest[NetlinkConstants.HeaderSize..(int)length]);
        _rest = _rest[Math.Min(NetlinkWriter.Align((int)length), _rest.Length)..];
        return true;
    }
}

/// <summary>Walks a run of attributes (16-bit length including the 4-byte header, 16-bit type, padded payload).</summary>
public ref struct NetlinkAttributeReader
{
    private const ushort TypeMask = 0x3fff; // without NLA_F_NESTED and NLA_F_NET_BYTEORDER

    private ReadOnlySpan<byte> _rest;

    public NetlinkAttributeReader(ReadOnlySpan<byte> attributes)
    {
        _rest = attributes;
    }

    /// <summary>The next attribute; false at the end. A malformed length throws (EIO).</summary>
    public bool Next(out ushort type, out ReadOnlySpan<byte> value)
    {
        if (_rest.Length < 4)
        {
            type = 0;
            value = default;
            return false; // the kernel may leave fewer than 4 bytes of padding at the end
        }

        ushort length = MemoryMarshal.Read<ushort>(_rest);
        if (length < 4 || length > _rest.Length)
        {
            throw new LinuxException($"netlink reply: attribute length {length} does not fit the {_rest.Length} bytes left", Errno.EIO);
        }

        type = (ushort)(MemoryMarshal.Read<ushort>(_rest[2..]) & TypeMask);
        value = _rest[4..length];
        _rest = _rest[Math.Min(NetlinkWriter.Align(length), _rest.Length)..];
        return true;
    }
}
