using System.Net;
using MyRuntime.Network.Addressing;

namespace MyRuntime.Network.Networks;

/// <summary>network create / rm, and the default network made on first use. A network's bridge and rules exist
/// from its creation (the default one's from its first container) until it is removed.</summary>
public sealed class NetworkManager(NetworkStore store)
{
    /// <summary>The default network's bridge and subnet when it is first made: MYRUNTIME_BRIDGE and
    /// MYRUNTIME_BRIDGE_SUBNET (as dockerd's --bridge and --bip), else myruntime0 on 10.66.0.0/16.</summary>
    public const string DefaultBridge = "myruntime0";

    public const string DefaultSubnet = "10.66.0.0/16";

    /// <summary>Subnets picked for user-defined networks without --subnet: the first free /24 in 10.67.0.0/16.</summary>
    private static readonly Subnet PickRange = Subnet.Parse("10.67.0.0/16");

    public NetworkStore Store => store;

    public NetworkConfig Create(string name, string? subnet, string? gateway, Dictionary<string, string>? labels = null)
    {
        if (!NetworkStore.IsValidName(name) || name is "none" or "host" or NetworkStore.DefaultName)
        {
            throw new NetworkException(name is "none" or "host" or NetworkStore.DefaultName
                ? $"network name {name} is reserved"
                : $"invalid network name \"{name}\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }

        using var held = store.Lock();
        if (store.Find(name) is { } existing && existing.Name == name)
        {
            throw new NetworkException($"network with name {name} already exists");
        }

        string id = NewId();
        var config = Describe(name, id, "mr-" + id[..12], subnet, gateway, isDefault: false);
        config.Labels = labels ?? [];
        return Make(config);
    }

    /// <summary>The default network, its config made on first use (the bridge itself comes with its first container).</summary>
    public NetworkConfig EnsureDefault()
    {
        if (store.Find(NetworkStore.DefaultName) is { } found)
        {
            return found;
        }

        using var held = store.Lock();
        if (store.Find(NetworkStore.DefaultName) is { } raced)
        {
            return raced;
        }

        string bridge = Environment.GetEnvironmentVariable("MYRUNTIME_BRIDGE") is { Length: > 0 } b ? b : DefaultBridge;
        if (bridge.Length > 15)
        {
            throw new NetworkException($"bridge name {bridge} is longer than 15 characters");
        }

        string? subnet = Environment.GetEnvironmentVariable("MYRUNTIME_BRIDGE_SUBNET") is { Length: > 0 } s ? s : DefaultSubnet;
        var config = Describe(NetworkStore.DefaultName, NewId(), bridge, subnet, null, isDefault: true);
        store.Save(config);
        return config;
    }

    /// <summary>Finds a network by name or id; "bridge" is made when it does not exist yet.</summary>
    public NetworkConfig Resolve(string nameOrId) =>
        nameOrId == NetworkStore.DefaultName ? EnsureDefault() : store.Get(nameOrId);

    public NetworkConfig Remove(string nameOrId)
    {
        using var held = store.Lock();
        var config = store.Get(nameOrId);
        var endpoints = store.Endpoints(config);
        if (endpoints.Count > 0)
        {
            throw new NetworkException($"network {config.Name} has active endpoints ({string.Join(", ", endpoints.Select(e => e.ContainerName.Length > 0 ? e.ContainerName : e.ContainerId[..12]))})");
        }

        BridgeDevice.TearDown(store, config);
        store.Delete(config);
        return config;
    }

    private NetworkConfig Make(NetworkConfig config)
    {
        store.Save(config);
        try
        {
            BridgeDevice.Ensure(store, config);
            return config;
        }
        catch (Exception e) when (e is NetworkException or Linux.LinuxException or IOException)
        {
            try
            {
                BridgeDevice.TearDown(store, config);
            }
            finally
            {
                store.Delete(config);
            }

            throw e as NetworkException ?? new NetworkException($"network {config.Name}: {e.Message}", e);
        }
    }

    private NetworkConfig Describe(string name, string id, string bridge, string? subnetText, string? gatewayText, bool isDefault)
    {
        var others = store.List().Where(n => n.Name != name).ToList();
        var hostRoutes = NetworkStore.HostRoutes();
        Subnet subnet;
        if (subnetText is null)
        {
            subnet = PickFree(others, hostRoutes);
        }
        else
        {
            subnet = Subnet.Parse(subnetText);
            if (others.FirstOrDefault(n => Subnet.Parse(n.Subnet).Overlaps(subnet)) is { } clash)
            {
                throw new NetworkException($"subnet {subnet} overlaps network {clash.Name} ({clash.Subnet})");
            }

            if (hostRoutes.FirstOrDefault(r => r.Overlaps(subnet)) is { PrefixLength: > 0 } route && !IsOwnBridgeRoute(bridge, subnet, route))
            {
                throw new NetworkException($"subnet {subnet} overlaps the host's route to {route}");
            }
        }

        IPAddress gateway = subnet.At(1);
        if (gatewayText is not null)
        {
            if (!IPAddress.TryParse(gatewayText, out var g) || !subnet.Contains(g) || g.Equals(subnet.At(0)) || g.Equals(subnet.Broadcast))
            {
                throw new NetworkException($"invalid gateway {gatewayText}: want a host address of {subnet}");
            }

            gateway = g;
        }

        return new NetworkConfig
        {
            Id = id,
            Name = name,
            Bridge = bridge,
            Subnet = subnet.ToString(),
            Gateway = gateway.ToString(),
            IsDefault = isDefault,
            Created = DateTimeOffset.UtcNow,
        };
    }

    /// <summary>A route to exactly this subnet through our own bridge is ours (left by a store that was removed
    /// while its bridge lived on, or the default bridge after its config was lost).</summary>
    private static bool IsOwnBridgeRoute(string bridge, Subnet subnet, Subnet route) =>
        route == subnet && File.Exists($"/sys/class/net/{bridge}/bridge/bridge_id");

    private static Subnet PickFree(List<NetworkConfig> others, IReadOnlyList<Subnet> hostRoutes)
    {
        var taken = others.Select(n => Subnet.Parse(n.Subnet)).Concat(hostRoutes.Where(r => r.PrefixLength > 0)).ToList();
        for (ulong offset = 0; offset < PickRange.Size; offset += 256)
        {
            var candidate = new Subnet(Subnet.ToUInt(PickRange.At(offset)), 24);
            if (!taken.Any(t => t.Overlaps(candidate)))
            {
                return candidate;
            }
        }

        throw new NetworkException($"no free subnet left in {PickRange}: give one with --subnet");
    }

    private static string NewId()
    {
        Span<byte> bytes = stackalloc byte[32];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
