using System.Globalization;
using MyRuntime.Engine.Containers;

namespace MyRuntime.Engine.Networking;

/// <summary>An image's ExposedPorts key ("80/tcp", "53/udp", "8080") as a port for -P to publish on a free host port.</summary>
public static class ExposedPort
{
    public static PortMapping Parse(string key)
    {
        string[] parts = key.Split('/');
        string protocol = parts.Length > 1 ? parts[1].ToLowerInvariant() : "tcp";
        if (parts.Length > 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535 || protocol is not ("tcp" or "udp"))
        {
            throw new EngineException($"the image exposes an invalid port \"{key}\"");
        }

        return new PortMapping { HostIp = "0.0.0.0", HostPort = 0, ContainerPort = port, Protocol = protocol };
    }
}
