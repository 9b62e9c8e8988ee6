using System.Net;
using System.Net.Sockets;

namespace MyRuntime.Network.Ports;

/// <summary>Host ports for published ports: whether one is free (a bind of that protocol to that address and port
/// succeeds), and free ones picked by the kernel from its ephemeral range.</summary>
public static class HostPorts
{
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;
    private const int SoReusePort = 15;

    /// <summary>Throws a one-line <see cref="NetworkException"/> when the host port cannot be bound, e.g.
    /// "host port 8080/tcp is already in use".</summary>
    public static void EnsureFree(PublishedPort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        if (port.HostPort is < 1 or > 65535)
        {
            throw new NetworkException($"host port {port.HostPort}/{port.Protocol} is not a port number (1-65535)");
        }

        using var socket = Bind(port);
    }

    /// <summary>The port as given when its host port is set; otherwise with a free host port the kernel picked.</summary>
    public static PublishedPort PickFree(PublishedPort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        if (port.HostPort != 0)
        {
            return port;
        }

        using var socket = Bind(port);
        return port with { HostPort = ((IPEndPoint)socket.LocalEndPoint!).Port };
    }

    private static Socket Bind(PublishedPort port)
    {
        if (!IPAddress.TryParse(port.HostIp, out var address) || address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new NetworkException($"host address \"{port.HostIp}\" is not an IPv4 address");
        }

        var (type, protocol) = port.Protocol switch
        {
            "tcp" => (SocketType.Stream, ProtocolType.Tcp),
            "udp" => (SocketType.Dgram, ProtocolType.Udp),
            _ => throw new NetworkException($"unsupported protocol \"{port.Protocol}\" (tcp or udp)"),
        };

        string what = port.HostPort == 0 ? $"a free {port.Protocol} port" : $"host port {port.HostPort}/{port.Protocol}";
        var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        try
        {
            // SO_REUSEADDR and SO_REUSEPORT off: the bind then fails on any socket bound there. .NET's Bind turns
            // SO_REUSEADDR back on for TCP (Windows' TIME_WAIT semantics), so a TCP port held only by a bound,
            // non-listening socket that set SO_REUSEADDR itself passes; a listening socket never does.
            socket.SetRawSocketOption(SolSocket, SoReuseAddr, [0, 0, 0, 0]);
            socket.SetRawSocketOption(SolSocket, SoReusePort, [0, 0, 0, 0]);
            socket.Bind(new IPEndPoint(address, port.HostPort));
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            string on = port.HostIp == "0.0.0.0" ? string.Empty : $" on {port.HostIp}";
            throw e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => new NetworkException($"{what}{on} is already in use", e),
                SocketError.AddressNotAvailable => new NetworkException($"host address {port.HostIp} is not an address of this host", e),
                SocketError.AccessDenied => new NetworkException($"no permission to bind {what}{on}", e),
                _ => new NetworkException($"cannot bind {what}{on}: {e.Message}", e),
            };
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
