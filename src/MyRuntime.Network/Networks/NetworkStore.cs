using System.Text.Json;
using System.Text.RegularExpressions;
using MyRuntime.Linux;
using MyRuntime.Network.Addressing;
using MyRuntime.Network.Endpoints;

namespace MyRuntime.Network.Networks;

/// <summary>The networks of one storage root: ROOT/networks/ID.json for each, ROOT/networks/ID/endpoints/ for the
/// containers attached to it. Every change happens under one flock (ROOT/networks/.lock), so parallel commands
/// never hand out one address or one host port twice.</summary>
public sealed partial class NetworkStore
{
    public const string DefaultName = "bridge";

    public NetworkStore(string storageRoot)
    {
        Root = Path.Combine(storageRoot, "networks");
    }

    public string Root { get; }

    /// <summary>Takes the store's lock (blocking); dispose to release.</summary>
    public FileLock Lock() => FileLock.OnFile(Path.Combine(Root, ".lock"), exclusive: true);

    public IReadOnlyList<NetworkConfig> List()
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        var list = new List<NetworkConfig>();
        foreach (string file in Directory.EnumerateFiles(Root, "*.json"))
        {
            if (TryRead(file) is { } config)
            {
                list.Add(config);
            }
        }

        list.Sort((a, b) => a.Created.CompareTo(b.Created));
        return list;
    }

    /// <summary>A network by name, full id or unique id prefix; null when none.</summary>
    public NetworkConfig? Find(string nameOrId)
    {
        if (nameOrId.Length == 0)
        {
            return null;
        }

        var all = List();
        if (all.FirstOrDefault(n => n.Name == nameOrId || n.Id == nameOrId) is { } exact)
        {
            return exact;
        }

        var byPrefix = all.Where(n => n.Id.StartsWith(nameOrId, StringComparison.Ordinal)).ToList();
        return byPrefix.Count == 1 ? byPrefix[0] : null;
    }

    public NetworkConfig Get(string nameOrId) =>
        Find(nameOrId) ?? throw new NetworkException($"network {nameOrId} not found");

    /// <summary>Adds a network's config (the caller holds the lock and has checked the name and subnet).</summary>
    public void Save(NetworkConfig config)
    {
        Directory.CreateDirectory(Root);
        WriteAtomically(Path.Combine(Root, config.Id + ".json"), JsonSerializer.SerializeToUtf8Bytes(config, NetworkJson.Default.NetworkConfig));
    }

    public void Delete(NetworkConfig config)
    {
        string dir = Path.Combine(Root, config.Id);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        File.Delete(Path.Combine(Root, config.Id + ".json"));
    }

    public IReadOnlyList<Endpoint> Endpoints(NetworkConfig config)
    {
        string dir = EndpointsDir(config);
        if (!Directory.Exists(dir))
        {
            return [];
        }

        var list = new List<Endpoint>();
        foreach (string file in Directory.EnumerateFiles(dir, "*.json"))
        {
            try
            {
                if (JsonSerializer.Deserialize(File.ReadAllBytes(file), NetworkJson.Default.Endpoint) is { } endpoint)
                {
                    list.Add(endpoint);
                }
            }
            catch (Exception e) when (e is IOException or JsonException)
            {
                // removed meanwhile, or a torn write of a crashed command: not an endpoint
            }
        }

        return list;
    }

    /// <summary>Every network with an endpoint of this container.</summary>
    public IEnumerable<(NetworkConfig Network, Endpoint Endpoint)> EndpointsOf(string containerId)
    {
        foreach (var network in List())
        {
            if (TryReadEndpoint(network, containerId) is { } endpoint)
            {
                yield return (network, endpoint);
            }
        }
    }

    public Endpoint? TryReadEndpoint(NetworkConfig config, string containerId)
    {
        string file = Path.Combine(EndpointsDir(config), containerId + ".json");
        try
        {
            return File.Exists(file) ? JsonSerializer.Deserialize(File.ReadAllBytes(file), NetworkJson.Default.Endpoint) : null;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    public void SaveEndpoint(NetworkConfig config, Endpoint endpoint)
    {
        string dir = EndpointsDir(config);
        Directory.CreateDirectory(dir);
        WriteAtomically(Path.Combine(dir, endpoint.ContainerId + ".json"), JsonSerializer.SerializeToUtf8Bytes(endpoint, NetworkJson.Default.Endpoint));
    }

    public void RemoveEndpoint(NetworkConfig config, string containerId) =>
        File.Delete(Path.Combine(EndpointsDir(config), containerId + ".json"));

    /// <summary>Docker's rule for names: a letter or digit, then letters, digits, _ . or -.</summary>
    public static bool IsValidName(string name) => name.Length <= 64 && NamePattern().IsMatch(name);

    /// <summary>The subnets of the host's IPv4 routes (the default route aside), from /proc/net/route.</summary>
    public static IReadOnlyList<Subnet> HostRoutes()
    {
        try
        {
            return ParseRoutes(File.ReadAllText("/proc/net/route"));
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>The non-default routes of a /proc/net/route text.</summary>
    public static IReadOnlyList<Subnet> ParseRoutes(string text)
    {
        var routes = new List<Subnet>();
        foreach (string line in text.Split('\n').Skip(1))
        {
            string[] f = line.Split('\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (f.Length < 8 || !uint.TryParse(f[1], System.Globalization.NumberStyles.HexNumber, null, out uint dest)
                || !uint.TryParse(f[7], System.Globalization.NumberStyles.HexNumber, null, out uint mask) || mask == 0)
            {
                continue;
            }

            // /proc/net/route prints the addresses in host (little-endian) order.
            uint network = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(dest);
            uint m = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(mask);
            routes.Add(new Subnet(network & m, System.Numerics.BitOperations.PopCount(m)));
        }

        return routes;
    }

    private string EndpointsDir(NetworkConfig config) => Path.Combine(Root, config.Id, "endpoints");

    private static NetworkConfig? TryRead(string file)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(file), NetworkJson.Default.NetworkConfig);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        string tmp = path + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, path, overwrite: true);
    }

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial Regex NamePattern();
}
