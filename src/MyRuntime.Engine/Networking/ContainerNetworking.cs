using System.Text.Json;
using MyRuntime.Engine.Bundle;
using MyRuntime.Engine.Containers;
using MyRuntime.Network;
using MyRuntime.Network.Endpoints;
using MyRuntime.Network.Networks;
using MyRuntime.Network.Ports;
using MyRuntime.Oci;

namespace MyRuntime.Engine.Networking;

/// <summary>The engine's side of networking: checks --network at create, attaches a starting container (after its
/// namespaces exist, before its process runs) and detaches a stopped one, keeping /etc/hosts of the containers of
/// a user-defined network in step so that they resolve each other by name.</summary>
public static class ContainerNetworking
{
    /// <summary>Checks the mode at create: the network must exist (the default one is made), a container: target
    /// must exist, and ports can only be published on a bridge network. Returns the network's canonical name.</summary>
    public static string Validate(EngineContext ctx, ContainerSettings settings)
    {
        var mode = NetworkMode.Parse(settings.Network);
        if (!mode.IsBridge && settings.Ports.Count > 0)
        {
            throw new EngineException($"conflicting options: port publishing and the container type network mode ({mode.Value})");
        }

        if (mode.IsContainer)
        {
            if (mode.Container.Length == 0)
            {
                throw new EngineException("--network container: needs a container name or id");
            }

            ctx.Containers.Find(mode.Container);
            return mode.Value;
        }

        if (!mode.IsBridge)
        {
            return mode.Value;
        }

        try
        {
            return ctx.Networks.Resolve(mode.Value).Name;
        }
        catch (NetworkException e)
        {
            throw new EngineException(e.Message, e);
        }
    }

    /// <summary>For container:NAME, points the bundle's network namespace at the running target's (before the
    /// runtime makes the container) and gives this container the target's hosts and resolv.conf.</summary>
    public static void JoinTarget(EngineContext ctx, ContainerRecord record)
    {
        var mode = NetworkMode.Parse(record.Settings.Network);
        if (!mode.IsContainer)
        {
            return;
        }

        var target = ctx.Containers.Find(mode.Container);
        if (target.State.Status is not (ContainerStatus.Running or ContainerStatus.Paused) || target.State.Pid <= 0)
        {
            throw new EngineException($"cannot join network of a non running container: {target.Name}");
        }

        string configPath = Path.Combine(record.BundleDir, "config.json");
        var spec = JsonSerializer.Deserialize(File.ReadAllBytes(configPath), OciJson.Default.Spec)
            ?? throw new EngineException($"container {record.Name}: empty config.json");
        var namespaces = spec.Linux!.Namespaces ??= [];
        namespaces.RemoveAll(n => n.Type == "network");
        namespaces.Add(new MyRuntime.Oci.RuntimeSpec.Namespace { Type = "network", Path = $"/proc/{target.State.Pid}/ns/net" });
        File.WriteAllBytes(configPath, JsonSerializer.SerializeToUtf8Bytes(spec, OciJson.Default.Spec));
        string from = ctx.Containers.ContainerDir(target.Id), to = ctx.Containers.ContainerDir(record.Id);
        foreach (string name in new[] { "hosts", "resolv.conf" })
        {
            if (File.Exists(Path.Combine(from, name)))
            {
                HostFiles.Rewrite(Path.Combine(to, name), File.ReadAllText(Path.Combine(from, name)));
            }
        }
    }

    /// <summary>Attaches a created container (its init waiting before the user's program) to its bridge network:
    /// returns what the record keeps, or null for none/host/container: modes.</summary>
    public static NetworkAttachment? Attach(EngineContext ctx, ContainerRecord record, int pid)
    {
        var mode = NetworkMode.Parse(record.Settings.Network);
        if (!mode.IsBridge)
        {
            return null;
        }

        Runtime.Timing.Mark("network: begin");
        try
        {
            var manager = ctx.Networks;
            var network = manager.Resolve(mode.Value);
            Runtime.Timing.Mark("network: resolved");
            var requested = record.Settings.Ports.Select(p => new PublishedPort(p.HostIp, p.HostPort, p.ContainerPort, p.Protocol)).ToList();
            var endpoint = Attachments.Attach(manager.Store, network, record.Id, record.Name, pid, requested);
            Runtime.Timing.Mark("network: endpoint attached");
            WriteHosts(ctx, record, endpoint.Address, network.IsDefault ? [] : Peers(manager.Store, network, record.Id));
            if (!network.IsDefault)
            {
                RefreshPeers(ctx, manager.Store, network, record.Id);
            }

            return new NetworkAttachment
            {
                NetworkName = network.Name,
                NetworkId = network.Id,
                IPAddress = endpoint.Address,
                PrefixLength = endpoint.PrefixLength,
                Gateway = endpoint.Gateway,
                Ports = [.. endpoint.Ports.Select(p => new PortMapping { HostIp = p.HostIp, HostPort = p.HostPort, ContainerPort = p.ContainerPort, Protocol = p.Protocol })],
            };
        }
        catch (NetworkException e)
        {
            Detach(ctx, record.Id);
            throw new EngineException(e.Message, e);
        }
    }

    /// <summary>Releases a container's endpoints (rules, veth, address) and takes it out of its peers' hosts files.</summary>
    public static void Detach(EngineContext ctx, string id)
    {
        var store = new NetworkStore(ctx.StorageRoot);
        if (!Directory.Exists(store.Root))
        {
            return;
        }

        Runtime.Timing.Mark("network: detach");
        try
        {
            foreach (var network in Attachments.Detach(store, id, namespaceKept: () => HasJoiners(ctx, id)).Where(n => !n.IsDefault))
            {
                RefreshPeers(ctx, store, network, id);
            }
        }
        catch (Exception e) when (e is NetworkException or Linux.LinuxException or IOException)
        {
            ctx.Log.Warn($"container {id}: network release: {e.Message}");
        }

        Runtime.Timing.Mark("network: detached");
    }

    /// <summary>Whether running containers joined this one's network namespace (--network container:IT): they keep
    /// it, and its veth, alive.</summary>
    private static bool HasJoiners(EngineContext ctx, string id)
    {
        try
        {
            string name = ctx.Containers.Find(id).Name;
            return ctx.Containers.List().Any(r => r.Id != id && r.State.Status is ContainerStatus.Running or ContainerStatus.Paused
                && NetworkMode.Parse(r.Settings.Network) is { IsContainer: true } m && (m.Container == name || m.Container.Length >= 12 && id.StartsWith(m.Container, StringComparison.Ordinal)));
        }
        catch (EngineException)
        {
            return false; // removed meanwhile
        }
    }

    private static List<(string Address, string Name)> Peers(NetworkStore store, NetworkConfig network, string self) =>
        [.. store.Endpoints(network).Where(e => e.ContainerId != self && e.ContainerName.Length > 0).OrderBy(e => e.ContainerName, StringComparer.Ordinal).Select(e => (e.Address, e.ContainerName))];

    /// <summary>Rewrites the hosts file of every other container on the network.</summary>
    private static void RefreshPeers(EngineContext ctx, NetworkStore store, NetworkConfig network, string changed)
    {
        foreach (var endpoint in store.Endpoints(network).Where(e => e.ContainerId != changed))
        {
            try
            {
                var peer = ctx.Containers.Find(endpoint.ContainerId);
                WriteHosts(ctx, peer, endpoint.Address, Peers(store, network, peer.Id));
            }
            catch (Exception e) when (e is EngineException or IOException)
            {
                // removed meanwhile
            }
        }
    }

    private static void WriteHosts(EngineContext ctx, ContainerRecord record, string address, List<(string Address, string Name)> peers)
    {
        string hostname = record.Options.Hostname is { Length: > 0 } h ? h : record.Id[..12];
        var names = record.Name.Length > 0 && record.Name != hostname ? $"{hostname}\t{record.Name}" : hostname;
        HostFiles.Rewrite(Path.Combine(ctx.Containers.ContainerDir(record.Id), "hosts"), HostFiles.Hosts(names, address, record.Settings.ExtraHosts, peers));
    }
}
