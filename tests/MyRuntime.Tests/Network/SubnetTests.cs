using System.Net;
using MyRuntime.Network;
using MyRuntime.Network.Addressing;

namespace MyRuntime.Tests.Network;

public sealed class SubnetTests
{
    [Theory]
    [InlineData("10.66.0.0/16", "10.66.0.0", 16)]
    [InlineData("192.168.5.0/24", "192.168.5.0", 24)]
    [InlineData("10.1.2.4/30", "10.1.2.4", 30)]
    public void ParsesCidr(string cidr, string network, int prefix)
    {
        var s = Subnet.Parse(cidr);
        Assert.Equal(network, Subnet.FromUInt(s.Network).ToString());
        Assert.Equal(prefix, s.PrefixLength);
        Assert.Equal(cidr, s.ToString());
    }

    [Theory]
    [InlineData("10.0.0.0/33", "invalid subnet")]
    [InlineData("10.0.0.0", "invalid subnet")]
    [InlineData("10.0.0.0/31", "invalid subnet")]
    [InlineData("fd00::/64", "invalid subnet")]
    [InlineData("10.0.0.1/24", "host bits set (did you mean 10.0.0.0/24?)")]
    [InlineData("300.0.0.0/24", "invalid subnet")]
    public void RejectsBadCidr(string cidr, string message)
    {
        var e = Assert.Throws<NetworkException>(() => Subnet.Parse(cidr));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ContainsOverlapsAndAddresses()
    {
        var s = Subnet.Parse("10.66.0.0/16");
        Assert.True(s.Contains(IPAddress.Parse("10.66.255.254")));
        Assert.False(s.Contains(IPAddress.Parse("10.67.0.1")));
        Assert.True(s.Overlaps(Subnet.Parse("10.66.3.0/24")));
        Assert.True(Subnet.Parse("10.66.3.0/24").Overlaps(s));
        Assert.False(s.Overlaps(Subnet.Parse("10.67.0.0/24")));
        Assert.Equal("10.66.0.1", s.At(1).ToString());
        Assert.Equal("10.66.255.255", s.Broadcast.ToString());
        Assert.Equal(65536UL, s.Size);
    }

    [Fact]
    public void IpamHandsOutTheLowestFreeAddressAndSkipsTheGateway()
    {
        var s = Subnet.Parse("10.9.0.0/29");
        var gateway = IPAddress.Parse("10.9.0.1");
        Assert.Equal("10.9.0.2", Ipam.Next("n", s, gateway, []).ToString());
        Assert.Equal("10.9.0.3", Ipam.Next("n", s, gateway, ["10.9.0.2"]).ToString());
        Assert.Equal("10.9.0.2", Ipam.Next("n", s, gateway, ["10.9.0.3", "10.9.0.4"]).ToString());
        Assert.Equal("10.9.0.1", Ipam.Next("n", s, IPAddress.Parse("10.9.0.6"), ["10.9.0.2", "10.9.0.3", "10.9.0.4", "10.9.0.5"]).ToString());
    }

    [Fact]
    public void IpamReportsAnExhaustedSubnet()
    {
        var s = Subnet.Parse("10.9.0.0/30");
        var e = Assert.Throws<NetworkException>(() => Ipam.Next("tiny", s, IPAddress.Parse("10.9.0.1"), ["10.9.0.2"]));
        Assert.Equal("network tiny has no free address left in 10.9.0.0/30", e.Message);
    }
}
