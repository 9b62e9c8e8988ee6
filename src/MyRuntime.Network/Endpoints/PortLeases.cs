using MyRuntime.Network.Networks;
using MyRuntime.Network.Ports;

namespace MyRuntime.Network.Endpoints;

/// <summary>The host ports of a new endpoint: each requested port checked against the ports other endpoints of
/// this store publish (DNAT rules hold no socket, so the kernel cannot tell) and against the host's own sockets;
/// port 0 becomes a free one. The caller holds the store's lock.</summary>
public static class PortLeases
{
    public static IEnumerable<PublishedPort> Resolve(NetworkStore store, string containerId, IReadOnlyList<PublishedPort> requested)
    {
        if (requested.Count == 0)
        {
            return [];
        }

        var taken = new Dictionary<(int Port, string Protocol), (string HostIp, string Owner)>();
        foreach (var network in store.List())
        {
            foreach (var endpoint in store.Endpoints(network).Where(e => e.ContainerId != containerId))
            {
                foreach (var p in endpoint.Ports)
                {
                    taken[(p.HostPort, p.Protocol)] = (p.HostIp, endpoint.ContainerName.Length > 0 ? endpoint.ContainerName : endpoint.ContainerId[..12]);
                }
            }
        }

        var result = new List<PublishedPort>();
        foreach (var port in requested)
        {
            var chosen = port;
            if (port.HostPort == 0)
            {
                do
                {
                    chosen = HostPorts.PickFree(port);
                }
                while (taken.ContainsKey((chosen.HostPort, chosen.Protocol)));
            }
            else
            {
                if (taken.TryGetValue((port.HostPort, port.Protocol), out var owner) && Clashes(owner.HostIp, port.HostIp))
                {
                    throw new NetworkException($"host port {port.HostPort}/{port.Protocol} is already published by container {owner.Owner}");
                }

                HostPorts.EnsureFree(port);
            }

            taken[(chosen.HostPort, chosen.Protocol)] = (chosen.HostIp, containerId[..12]);
            result.Add(chosen);
        }

        return result;
    }

    private static bool Clashes(string a, string b) => a == b || a == "0.0.0.0" || b == "0.0.0.0";
}
