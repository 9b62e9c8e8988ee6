using System.Net;
using MyRuntime.Linux;
using MyRuntime.Linux.Netlink;
using MyRuntime.Network.Addressing;
using MyRuntime.Network.Firewall;

namespace MyRuntime.Network.Networks;

/// <summary>A network's Linux bridge (with the gateway address, up) and its firewall rules. Ensured on every
/// attach: a marker (ROOT/networks/ID/bridge.ready: boot id and the bridge's ifindex) makes the common case one
/// netlink lookup; after a reboot, or when someone deleted the bridge, everything is made again.</summary>
public static class BridgeDevice
{
    public static int Ensure(NetworkStore store, NetworkConfig config)
    {
        using var netlink = RouteNetlink.Open();
        int? index = netlink.LinkIndex(config.Bridge);
        string marker = MarkerPath(store, config);
        if (index is { } known && ReadMarker(marker) == Stamp(known))
        {
            return known;
        }

        if (index is null)
        {
            try
            {
                netlink.CreateBridge(config.Bridge);
            }
            catch (LinuxException e) when (e.Errno == Errno.EEXIST)
            {
                // made meanwhile by another store sharing the name
            }

            index = netlink.LinkIndex(config.Bridge) ?? throw new NetworkException($"bridge {config.Bridge} vanished while being made");
        }

        var subnet = Subnet.Parse(config.Subnet);
        try
        {
            netlink.AddAddress(index.Value, IPAddress.Parse(config.Gateway), subnet.PrefixLength);
        }
        catch (LinuxException e) when (e.Errno == Errno.EEXIST)
        {
            // already there
        }

        netlink.SetUp(index.Value);
        Iptables.SetUpNetwork(config.Bridge, config.Subnet);
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        File.WriteAllText(marker, Stamp(index.Value));
        return index.Value;
    }

    /// <summary>Removes the bridge (its routes and any veth still on it go with it) and the network's rules.</summary>
    public static void TearDown(NetworkStore store, NetworkConfig config)
    {
        using (var netlink = RouteNetlink.Open())
        {
            if (netlink.LinkIndex(config.Bridge) is { } index)
            {
                try
                {
                    netlink.DeleteLink(index);
                }
                catch (LinuxException e) when (e.Errno == Errno.ENODEV)
                {
                    // gone meanwhile
                }
            }
        }

        Iptables.TearDownNetwork(config.Bridge, config.Subnet);
        File.Delete(MarkerPath(store, config));
    }

    private static string MarkerPath(NetworkStore store, NetworkConfig config) => Path.Combine(store.Root, config.Id, "bridge.ready");

    private static string? ReadMarker(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string Stamp(int index) => $"{BootId.Value} {index}";
}
