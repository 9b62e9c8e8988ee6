using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MyRuntime.Network.Addressing;

/// <summary>An IPv4 subnet in CIDR form (10.88.0.0/16): parsing, membership, overlap and the addresses in it.</summary>
public readonly record struct Subnet(uint Network, int PrefixLength)
{
    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);

    /// <summary>How many addresses the subnet spans (network and broadcast included).</summary>
    public ulong Size => 1UL << (32 - PrefixLength);

    public static Subnet Parse(string cidr)
    {
        if (!TryParse(cidr, out var subnet, out string? error))
        {
            throw new NetworkException(error);
        }

        return subnet;
    }

    public static bool TryParse(string cidr, out Subnet subnet, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        subnet = default;
        int slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out var address) || address.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(cidr[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix > 30 || prefix < 8)
        {
            error = $"invalid subnet {cidr}: want an IPv4 CIDR such as 10.89.0.0/24 (prefix 8 to 30)";
            return false;
        }

        uint value = ToUInt(address);
        var s = new Subnet(value, prefix);
        if ((value & s.Mask) != value)
        {
            error = $"invalid subnet {cidr}: host bits set (did you mean {FromUInt(value & s.Mask)}/{prefix}?)";
            return false;
        }

        subnet = s;
        error = null;
        return true;
    }

    public bool Contains(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork && (ToUInt(address) & Mask) == Network;

    public bool Overlaps(Subnet other)
    {
        uint mask = PrefixLength < other.PrefixLength ? Mask : other.Mask;
        return (Network & mask) == (other.Network & mask);
    }

    /// <summary>The address at <paramref name="offset"/> from the network address (1 is the first host).</summary>
    public IPAddress At(ulong offset) => FromUInt((uint)(Network + offset));

    /// <summary>The offset of an address inside the subnet.</summary>
    public ulong OffsetOf(IPAddress address) => ToUInt(address) - Network;

    public IPAddress Broadcast => FromUInt(Network | ~Mask);

    public override string ToString() => $"{FromUInt(Network)}/{PrefixLength}";

    public static uint ToUInt(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    public static IPAddress FromUInt(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
