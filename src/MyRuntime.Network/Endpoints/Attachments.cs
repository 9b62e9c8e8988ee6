using System.Net;
using MyRuntime.Linux;
using MyRuntime.Linux.Netlink;
using MyRuntime.Network.Addressing;
using MyRuntime.Network.Firewall;
using MyRuntime.Network.Networks;
using MyRuntime.Network.Ports;

namespace MyRuntime.Network.Endpoints;

/// <summary>Connects a container's network namespace to a network and back: the lease (address, host ports) is
/// taken under the store's lock and written first, so that whatever happens next a release finds it; then a veth
/// pair (host end on the bridge, peer made in the container's netns as eth0), the address, eth0 up, the
/// default route, and the published ports' rules. Any failure undoes all of it.</summary>
public static class Attachments
{
    public const string InterfaceName = "eth0";

    public static Endpoint Attach(NetworkStore store, NetworkConfig network, string containerId, string containerName, int pid, IReadOnlyList<PublishedPort> requested)
    {
        string netnsPath = $"/proc/{pid}/ns/net";
        Endpoint endpoint;
        using (store.Lock())
        {
            BridgeDevice.Ensure(store, network);
            if (store.TryReadEndpoint(network, containerId) is { } stale)
            {
                Unwire(network, stale);
                store.RemoveEndpoint(network, containerId);
            }

            var subnet = Subnet.Parse(network.Subnet);
            var gateway = IPAddress.Parse(network.Gateway);
            if (requested.Count > 0)
            {
                ReclaimStale(store, store.List()); // a dead container's lease must not hold a host port
            }

            IPAddress address;
            try
            {
                address = Ipam.Next(network.Name, subnet, gateway, store.Endpoints(network).Select(e => e.Address));
            }
            catch (NetworkException)
            {
                ReclaimStale(store, [network]);
                address = Ipam.Next(network.Name, subnet, gateway, store.Endpoints(network).Select(e => e.Address));
            }

            endpoint = new Endpoint
            {
                ContainerId = containerId,
                ContainerName = containerName,
                Address = address.ToString(),
                PrefixLength = subnet.PrefixLength,
                Gateway = network.Gateway,
                HostVeth = "veth" + containerId[..11],
                Ports = [.. PortLeases.Resolve(store, containerId, requested)],
                Pid = pid,
                PidStartTime = ProcFs.Stat(pid)?.StartTime ?? 0,
            };
            store.SaveEndpoint(network, endpoint);
        }

        try
        {
            Wire(network, endpoint, netnsPath);
            if (endpoint.Ports.Count > 0)
            {
                Iptables.AddPorts(containerId, network.Bridge, IPAddress.Parse(endpoint.Address), endpoint.Ports);
            }

            return endpoint;
        }
        catch (Exception e) when (e is LinuxException or NetworkException or IOException)
        {
            Release(store, network, endpoint);
            throw e as NetworkException ?? new NetworkException($"network {network.Name}: {e.Message}", e);
        }
    }

    /// <summary>Releases every endpoint of a container whose init has ended: its rules and its lease. Its veth pair
    /// goes with its network namespace, which the kernel dismantles on its own (asynchronously: a netlink request
    /// meanwhile would wait for that, ~10-20 ms); only when other processes keep the namespace alive
    /// (<paramref name="namespaceKept"/>: containers that joined it) is the host end deleted here. Returns the
    /// networks it left.</summary>
    public static IReadOnlyList<NetworkConfig> Detach(NetworkStore store, string containerId, Func<bool> namespaceKept)
    {
        var left = new List<NetworkConfig>();
        foreach (var (network, endpoint) in store.EndpointsOf(containerId).ToList())
        {
            bool vethLeft = Directory.Exists("/sys/class/net/" + endpoint.HostVeth);
            Release(store, network, endpoint, deleteVeth: vethLeft && namespaceKept());
            left.Add(network);
        }

        return left;
    }

    private static void Release(NetworkStore store, NetworkConfig network, Endpoint endpoint, bool deleteVeth = true)
    {
        try
        {
            if (endpoint.Ports.Count > 0)
            {
                Iptables.RemovePorts(endpoint.ContainerId, network.Bridge, IPAddress.Parse(endpoint.Address), endpoint.Ports);
            }

            if (deleteVeth)
            {
                Unwire(network, endpoint);
            }
        }
        finally
        {
            using (store.Lock())
            {
                store.RemoveEndpoint(network, endpoint.ContainerId);
            }
        }
    }

    /// <summary>Releases the leases of containers whose process is gone (a host restart, a crash no command has
    /// reconciled yet): their rules and lease files; their veths went with their netns. The caller holds the lock.</summary>
    private static void ReclaimStale(NetworkStore store, IEnumerable<NetworkConfig> networks)
    {
        foreach (var network in networks)
        {
            foreach (var stale in store.Endpoints(network).Where(e => e.IsStale()))
            {
                if (stale.Ports.Count > 0)
                {
                    Iptables.RemovePorts(stale.ContainerId, network.Bridge, IPAddress.Parse(stale.Address), stale.Ports);
                }

                store.RemoveEndpoint(network, stale.ContainerId);
            }
        }
    }

    private static void Wire(NetworkConfig network, Endpoint endpoint, string netnsPath)
    {
        int netns = Files.Open(netnsPath, Files.O_RDONLY);
        try
        {
            using (var host = RouteNetlink.Open())
            {
                int bridge = host.LinkIndex(network.Bridge) ?? throw new NetworkException($"bridge {network.Bridge} of network {network.Name} is missing");
                if (host.LinkIndex(endpoint.HostVeth) is { } old)
                {
                    host.DeleteLink(old);
                }

                host.CreateVeth(endpoint.HostVeth, InterfaceName, netns);
                int veth = host.LinkIndex(endpoint.HostVeth) ?? throw new NetworkException($"veth {endpoint.HostVeth} vanished");
                host.SetMaster(veth, bridge);
                host.SetUp(veth);
            }

            using var inside = RouteNetlink.OpenIn(netnsPath);
            int eth0 = inside.LinkIndex(InterfaceName) ?? throw new NetworkException($"{InterfaceName} did not reach the container's network namespace");
            inside.AddAddress(eth0, IPAddress.Parse(endpoint.Address), endpoint.PrefixLength);
            inside.SetUp(eth0); // lo: the runtime brings it up in every netns it makes
            inside.AddRoute(null, 0, IPAddress.Parse(endpoint.Gateway), eth0);
        }
        finally
        {
            Files.Close(netns);
        }
    }

    private static void Unwire(NetworkConfig network, Endpoint endpoint)
    {
        if (!Directory.Exists("/sys/class/net/" + endpoint.HostVeth))
        {
            return; // gone (sysfs answers without the rtnl lock)
        }

        using var host = RouteNetlink.Open();
        if (host.LinkIndex(endpoint.HostVeth) is { } index)
        {
            try
            {
                host.DeleteLink(index);
            }
            catch (LinuxException e) when (e.Errno == Errno.ENODEV)
            {
                // gone with the container's netns meanwhile
            }
        }
    }
}
