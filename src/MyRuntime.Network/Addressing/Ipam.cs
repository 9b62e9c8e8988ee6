using System.Net;

namespace MyRuntime.Network.Addressing;

/// <summary>Address management of one network: the lowest address of the subnet that is neither the network
/// address, the broadcast address, the gateway nor leased to an endpoint. The caller holds the store's lock, and
/// the endpoint files are the leases.</summary>
public static class Ipam
{
    public static IPAddress Next(string networkName, Subnet subnet, IPAddress gateway, IEnumerable<string> leased)
    {
        var used = new HashSet<uint>(leased.Select(a => IPAddress.TryParse(a, out var ip) ? Subnet.ToUInt(ip) : 0))
        {
            Subnet.ToUInt(gateway),
        };
        for (ulong offset = 1; offset < subnet.Size - 1; offset++)
        {
            uint candidate = subnet.Network + (uint)offset;
            if (!used.Contains(candidate))
            {
                return Subnet.FromUInt(candidate);
            }
        }

        throw new NetworkException($"network {networkName} has no free address left in {subnet}");
    }
}
