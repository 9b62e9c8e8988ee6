namespace MyRuntime.Network.Ports;

/// <summary>One published port: <paramref name="HostIp"/> "0.0.0.0" means every address of the host,
/// <paramref name="HostPort"/> 0 means one still to be picked; <paramref name="Protocol"/> is "tcp" or "udp".</summary>
public sealed record PublishedPort(string HostIp, int HostPort, int ContainerPort, string Protocol);
