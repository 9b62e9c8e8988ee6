namespace MyRuntime.Network.Networks;

/// <summary>One network, as kept in ROOT/networks/ID.json: a Linux bridge with a subnet and its gateway address.</summary>
public sealed class NetworkConfig
{
    /// <summary>64 lowercase hex digits.</summary>
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>Always "bridge" (the only driver).</summary>
    public string Driver { get; set; } = "bridge";

    /// <summary>The Linux bridge's name (myruntime0 for the default network, mr-ID12 for the others).</summary>
    public string Bridge { get; set; } = "";

    /// <summary>IPv4 CIDR.</summary>
    public string Subnet { get; set; } = "";

    /// <summary>The bridge's own address, the containers' default route.</summary>
    public string Gateway { get; set; } = "";

    /// <summary>The default network (named bridge): containers on it do not resolve each other by name.</summary>
    public bool IsDefault { get; set; }

    public DateTimeOffset Created { get; set; }

    public Dictionary<string, string> Labels { get; set; } = [];
}
