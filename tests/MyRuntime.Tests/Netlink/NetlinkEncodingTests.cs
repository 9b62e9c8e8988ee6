using System.Net;
using MyRuntime.Linux.Netlink;

namespace MyRuntime.Tests.Netlink;

/// <summary>Requests compared byte for byte with layouts worked out by hand from the uapi headers
/// (nlmsghdr 16 bytes, ifinfomsg 16, ifaddrmsg 8, rtmsg 12, attributes padded to 4; little-endian host).</summary>
public class NetlinkEncodingTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    [Fact]
    public void Veth_WithPeerInAnotherNetns_NestsThePeerInfoAndItsNetnsFd()
    {
        var w = new NetlinkWriter();

        byte[] actual = RouteRequests.CreateVeth(w, 5, "nlt0", "eth0", 7).ToArray();

        byte[] expected = Hex(
            "68000000 1000 0506 05000000 00000000" + // nlmsghdr: 104 bytes, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE, seq 5
            "00 00 0000 00000000 00000000 00000000" + // ifinfomsg
            "0900 0300 6e6c7430 00 000000" + // IFLA_IFNAME "nlt0\0" + 3 pad
            "3c00 1200" + // IFLA_LINKINFO, 60 bytes
            "0900 0100 76657468 00 000000" + //   IFLA_INFO_KIND "veth\0" + 3 pad
            "2c00 0200" + //   IFLA_INFO_DATA, 44 bytes
            "2800 0100" + //     VETH_INFO_PEER, 40 bytes
            "00 00 0000 00000000 00000000 00000000" + //       ifinfomsg
            "0900 0300 65746830 00 000000" + //       IFLA_IFNAME "eth0\0" + 3 pad
            "0800 1c00 07000000"); //       IFLA_NET_NS_FD 7
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));
    }

    [Fact]
    public void Veth_WithoutNetnsFd_HasNoNetnsAttribute()
    {
        byte[] actual = RouteRequests.CreateVeth(new NetlinkWriter(), 1, "nlt0", "nlt1", -1).ToArray();

        Assert.Equal(96, actual.Length);
        Assert.Equal(96, BitConverter.ToInt32(actual, 0));
        Assert.DoesNotContain("08001C00", Convert.ToHexString(actual), StringComparison.Ordinal);
    }

    [Fact]
    public void Ipv4Address_HasLocalAddressAndBroadcast()
    {
        byte[] actual = RouteRequests.AddAddress(new NetlinkWriter(), 9, 5, IPAddress.Parse("10.250.77.2"), 24).ToArray();

        byte[] expected = Hex(
            "30000000 1400 0506 09000000 00000000" + // 48 bytes, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE, seq 9
            "02 18 00 00 05000000" + // ifaddrmsg: AF_INET, /24, flags 0, scope universe, index 5
            "0800 0200 0afa4d02" + // IFA_LOCAL
            "0800 0100 0afa4d02" + // IFA_ADDRESS
            "0800 0400 0afa4dff"); // IFA_BROADCAST
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));
    }

    [Fact]
    public void Ipv6Address_HasNoBroadcast()
    {
        byte[] actual = RouteRequests.AddAddress(new NetlinkWriter(), 1, 2, IPAddress.Parse("fd00::1"), 64).ToArray();

        Assert.Equal(16 + 8 + 20 + 20, actual.Length);
        Assert.Equal(10, actual[16]); // AF_INET6
        Assert.Equal(64, actual[17]);
        Assert.Equal("14000200FD000000000000000000000000000001", Convert.ToHexString(actual, 24, 20));
    }

    [Fact]
    public void DefaultRoute_IsInTheMainTableWithGatewayAndOutputLink()
    {
        byte[] actual = RouteRequests.AddRoute(new NetlinkWriter(), 2, null, 0, IPAddress.Parse("10.250.77.1"), 3).ToArray();

        byte[] expected = Hex(
            "2c000000 1800 0506 02000000 00000000" + // 44 bytes, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE, seq 2
            "02 00 00 00 fe 03 00 01 00000000" + // rtmsg: AF_INET, dst_len 0, main table, RTPROT_BOOT, universe, unicast
            "0800 0500 0afa4d01" + // RTA_GATEWAY
            "0800 0400 03000000"); // RTA_OIF 3
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));
    }

    [Fact]
    public void RouteToASubnet_CarriesItsDestination()
    {
        byte[] actual = RouteRequests.AddRoute(new NetlinkWriter(), 2, IPAddress.Parse("10.9.0.0"), 16, IPAddress.Parse("10.250.77.1"), 3).ToArray();

        Assert.Equal(16, actual[17]);
        Assert.Equal("080001000A090000", Convert.ToHexString(actual, 28, 8));
    }

    [Fact]
    public void SetUp_ChangesOnlyTheUpFlag()
    {
        byte[] actual = RouteRequests.SetUp(new NetlinkWriter(), 1, 4).ToArray();

        Assert.Equal(
            Convert.ToHexString(Hex("20000000 1000 0500 01000000 00000000 00 00 0000 04000000 01000000 01000000")),
            Convert.ToHexString(actual));
    }

    [Fact]
    public void Bridge_NestsItsKind()
    {
        byte[] actual = RouteRequests.CreateBridge(new NetlinkWriter(), 3, "nltbr0").ToArray();

        byte[] expected = Hex(
            "3c000000 1000 0506 03000000 00000000" +
            "00 00 0000 00000000 00000000 00000000" +
            "0b00 0300 6e6c74627230 00 00" + // "nltbr0\0" + 1 pad
            "1000 1200" + // IFLA_LINKINFO, 16 bytes
            "0b00 0100 627269646765 00 00"); // "bridge\0" + 1 pad
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));
    }

    [Theory]
    [InlineData(0, 4)]
    [InlineData(1, 8)]
    [InlineData(2, 8)]
    [InlineData(3, 8)]
    [InlineData(4, 8)]
    [InlineData(5, 12)]
    public void Attributes_ArePaddedWithZerosToFourBytes(int payload, int size)
    {
        var w = new NetlinkWriter(64);
        w.Begin(1, 0, 0);
        w.Attribute(9, Enumerable.Repeat((byte)0xaa, payload).ToArray());
        w.AttributeU32(10, 0x01020304);
        byte[] bytes = w.End().ToArray();

        Assert.Equal(16 + size + 8, bytes.Length);
        Assert.Equal(4 + payload, BitConverter.ToUInt16(bytes, 16));
        Assert.All(bytes[(16 + 4 + payload)..(16 + size)], b => Assert.Equal(0, b));
        Assert.Equal("08000A0004030201", Convert.ToHexString(bytes, 16 + size, 8));
    }

    [Fact]
    public void Writer_IsReusedAndGrows()
    {
        var w = new NetlinkWriter(64);
        w.Begin(1, 0, 0);
        w.Attribute(1, new byte[300]);
        Assert.Equal(16 + 304, w.End().Length);

        byte[] again = RouteRequests.SetUp(w, 1, 4).ToArray();

        Assert.Equal(32, again.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a-name-far-too-long")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("a:b")]
    [InlineData("..")]
    public void BadInterfaceNames_AreRefused(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => RouteRequests.CreateBridge(new NetlinkWriter(), 1, name));

        Assert.Contains($"interface name '{name}' is invalid", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadNumbers_AreRefused()
    {
        var w = new NetlinkWriter();
        Assert.Throws<ArgumentOutOfRangeException>(() => RouteRequests.SetUp(w, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RouteRequests.AddAddress(w, 1, 2, IPAddress.Parse("10.0.0.1"), 33));
        Assert.Throws<ArgumentOutOfRangeException>(() => RouteRequests.AddRoute(w, 1, null, 8, IPAddress.Parse("10.0.0.1"), 2));
        Assert.Throws<ArgumentException>(() => RouteRequests.AddRoute(w, 1, IPAddress.Parse("fd00::"), 64, IPAddress.Parse("10.0.0.1"), 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => RouteRequests.CreateVeth(w, 1, "a", "b", -2));
    }
}
