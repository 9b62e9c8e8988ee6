using System.Net;
using System.Net.Sockets;
using MyRuntime.Network;
using MyRuntime.Network.Ports;

namespace MyRuntime.Tests.Network;

public sealed class HostPortsTests
{
    [Fact]
    public void EnsureFree_ListeningTcpPort_IsInUse()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        var onLoopback = Assert.Throws<NetworkException>(() => HostPorts.EnsureFree(new PublishedPort("127.0.0.1", port, 80, "tcp")));
        var onAll = Assert.Throws<NetworkException>(() => HostPorts.EnsureFree(new PublishedPort("0.0.0.0", port, 80, "tcp")));

        Assert.Equal($"host port {port}/tcp on 127.0.0.1 is already in use", onLoopback.Message);
        Assert.Equal($"host port {port}/tcp is already in use", onAll.Message);
        HostPorts.EnsureFree(new PublishedPort("127.0.0.1", port, 80, "udp"));
    }

    [Fact]
    public void EnsureFree_BoundUdpPort_IsInUse()
    {
        using var bound = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        bound.Bind(new IPEndPoint(IPAddress.Any, 0));
        int port = ((IPEndPoint)bound.LocalEndPoint!).Port;

        var e = Assert.Throws<NetworkException>(() => HostPorts.EnsureFree(new PublishedPort("0.0.0.0", port, 53, "udp")));

        Assert.Equal($"host port {port}/udp is already in use", e.Message);
    }

    [Theory]
    [InlineData("udp")] // not tcp: .NET's Bind sets SO_REUSEADDR on TCP sockets (see HostPorts)
    public void EnsureFree_ABoundReusableSocketCounts(string protocol)
    {
        // Two sockets that both set SO_REUSEADDR may share a port that neither listens on: the check must not.
        using var bound = protocol == "tcp"
            ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        bound.SetRawSocketOption(1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, [1, 0, 0, 0]);
        bound.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)bound.LocalEndPoint!).Port;

        var e = Assert.Throws<NetworkException>(() => HostPorts.EnsureFree(new PublishedPort("127.0.0.1", port, 80, protocol)));

        Assert.Equal($"host port {port}/{protocol} on 127.0.0.1 is already in use", e.Message);
    }

    [Fact]
    public void EnsureFree_AddressNotOfThisHost_IsRefused()
    {
        var e = Assert.Throws<NetworkException>(() => HostPorts.EnsureFree(new PublishedPort("10.251.254.254", 8080, 80, "tcp")));

        Assert.Equal("host address 10.251.254.254 is not an address of this host", e.Message);
    }

    [Fact]
    public void EnsureFree_BadInput_IsRefused()
    {
        Assert.Equal("host port 0/tcp is not a port number (1-65535)",
            Assert.Throws<NetworkException>(() => HostPorts.EnsureFree(new PublishedPort("0.0.0.0", 0, 80, "tcp"))).Message);
        Assert.Equal("host address \"::1\" is not an IPv4 address",
            Assert.Throws<NetworkException>(() => HostPorts.EnsureFree(new PublishedPort("::1", 8080, 80, "tcp"))).Message);
        Assert.Equal("unsupported protocol \"sctp\" (tcp or udp)",
            Assert.Throws<NetworkException>(() => HostPorts.EnsureFree(new PublishedPort("0.0.0.0", 8080, 80, "sctp"))).Message);
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("udp")]
    public void PickFree_TakesAPortFromTheEphemeralRange(string protocol)
    {
        string[] range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        int low = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        int high = int.Parse(range[1], System.Globalization.CultureInfo.InvariantCulture);

        var picked = HostPorts.PickFree(new PublishedPort("127.0.0.1", 0, 80, protocol));

        Assert.InRange(picked.HostPort, low, high);
        Assert.Equal(new PublishedPort("127.0.0.1", picked.HostPort, 80, protocol), picked);
        HostPorts.EnsureFree(picked);
    }

    [Fact]
    public void PickFree_KeepsAGivenHostPort()
    {
        var given = new PublishedPort("0.0.0.0", 8080, 80, "tcp");

        Assert.Same(given, HostPorts.PickFree(given));
    }
}
