namespace MyRuntime.Network.Firewall;

/// <summary>The kernel settings bridge networks need: IPv4 forwarding (host-wide; left on, as Docker leaves it)
/// and route_localnet on the bridge, so that DNAT of 127.0.0.0/8 to a container can leave by the bridge.</summary>
internal static class Sysctls
{
    public static void EnableForwarding(string bridge)
    {
        string conf = $"/proc/sys/net/ipv4/conf/{bridge}";
        if (!Directory.Exists(conf))
        {
            throw new NetworkException($"bridge {bridge} does not exist");
        }

        Set("/proc/sys/net/ipv4/ip_forward");
        Set($"{conf}/route_localnet");
    }

    private static void Set(string path)
    {
        try
        {
            if (File.ReadAllText(path).Trim() != "1")
            {
                File.WriteAllText(path, "1");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NetworkException($"cannot set {path} to 1: {e.Message}", e);
        }
    }
}
