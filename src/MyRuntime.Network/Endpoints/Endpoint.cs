using MyRuntime.Network.Ports;

namespace MyRuntime.Network.Endpoints;

/// <summary>A container's attachment to a network, as kept in ROOT/networks/ID/endpoints/CONTAINER.json: its
/// address (the IPAM lease), the host end of its veth pair, the ports published to it.</summary>
public sealed class Endpoint
{
    public string ContainerId { get; set; } = "";

    /// <summary>The name other containers of a user-defined network resolve it by.</summary>
    public string ContainerName { get; set; } = "";

    public string Address { get; set; } = "";

    public int PrefixLength { get; set; }

    public string Gateway { get; set; } = "";

    public string HostVeth { get; set; } = "";

    public List<PublishedPort> Ports { get; set; } = [];
}
