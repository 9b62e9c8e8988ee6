using MyRuntime.Network;
using MyRuntime.Network.Ports;

namespace MyRuntime.Tests.Network;

public sealed class PortSpecTests
{
    [Theory]
    [InlineData("80", "0.0.0.0", 0, 80, "tcp")]
    [InlineData("8080:80", "0.0.0.0", 8080, 80, "tcp")]
    [InlineData("127.0.0.1:8080:80", "127.0.0.1", 8080, 80, "tcp")]
    [InlineData("127.0.0.1::80", "127.0.0.1", 0, 80, "tcp")]
    [InlineData("8080:80/udp", "0.0.0.0", 8080, 80, "udp")]
    [InlineData("53/udp", "0.0.0.0", 0, 53, "udp")]
    [InlineData("1:65535/tcp", "0.0.0.0", 1, 65535, "tcp")]
    [InlineData("010.0.0.1:8080:80", "10.0.0.1", 8080, 80, "tcp")]
    public void Parse_SinglePort(string spec, string hostIp, int hostPort, int containerPort, string protocol)
    {
        var ports = PortSpec.Parse(spec);

        Assert.Equal([new PublishedPort(hostIp, hostPort, containerPort, protocol)], ports);
    }

    [Fact]
    public void Parse_Ranges_PairEachHostPortWithItsContainerPort()
    {
        Assert.Equal(
            [new PublishedPort("0.0.0.0", 8000, 80, "tcp"), new PublishedPort("0.0.0.0", 8001, 81, "tcp")],
            PortSpec.Parse("8000-8001:80-81"));
        Assert.Equal(
            [new PublishedPort("10.1.2.3", 0, 5000, "udp"), new PublishedPort("10.1.2.3", 0, 5001, "udp"), new PublishedPort("10.1.2.3", 0, 5002, "udp")],
            PortSpec.Parse("10.1.2.3::5000-5002/udp"));
        Assert.Equal([new PublishedPort("0.0.0.0", 0, 80, "tcp"), new PublishedPort("0.0.0.0", 0, 81, "tcp")], PortSpec.Parse("80-81"));
    }

    [Theory]
    [InlineData("", "no container port")]
    [InlineData("0", "container port 0 is out of range (1-65535)")]
    [InlineData("65536", "container port 65536 is out of range (1-65535)")]
    [InlineData("0:80", "host port 0 is out of range (1-65535)")]
    [InlineData("8080:", "no container port")]
    [InlineData("http", "\"http\" is not a valid container port")]
    [InlineData("80/sctp", "unsupported protocol \"sctp\" (tcp or udp)")]
    [InlineData("80/", "unsupported protocol \"\" (tcp or udp)")]
    [InlineData("80/TCP", "unsupported protocol \"TCP\" (tcp or udp)")]
    [InlineData("300.1.1.1:80:80", "\"300.1.1.1\" is not an IPv4 address")]
    [InlineData("1.2.3:80:80", "\"1.2.3\" is not an IPv4 address")]
    [InlineData(":80:80", "\"\" is not an IPv4 address")]
    [InlineData("[::1]:80:80", "IPv6 host addresses are not supported")]
    [InlineData("1:2:3:4", "IPv6 host addresses are not supported")]
    [InlineData("8000-8002:80-81", "the host port range 8000-8002 and the container port range 80-81 differ in length")]
    [InlineData("8000-8001:80", "the host port range 8000-8001 and the container port range 80 differ in length")]
    [InlineData("81-80", "the container port range 81-80 ends before it starts")]
    [InlineData("80-", "\"\" is not a valid container port")]
    [InlineData(" 80", "\" 80\" is not a valid container port")]
    [InlineData("+80", "\"+80\" is not a valid container port")]
    [InlineData("000080", "\"000080\" is not a valid container port")]
    public void Parse_BadSpecs_GiveOneLineErrors(string spec, string reason)
    {
        var e = Assert.Throws<NetworkException>(() => PortSpec.Parse(spec));

        Assert.Equal($"invalid published port \"{spec}\": {reason}", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
