using System.Net;
using MyRuntime.Linux;
using MyRuntime.Linux.Netlink;

namespace MyRuntime.Tests.Netlink;

/// <summary>Replies laid out by hand as the kernel sends them (struct nlmsgerr, ifinfomsg, ifaddrmsg, attributes).</summary>
public class NetlinkParsingTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    [Fact]
    public void ErrorAck_GivesThePositiveErrno()
    {
        byte[] datagram = Hex(
            "24000000 0200 0001 07000000 00000000" + // NLMSG_ERROR, NLM_F_CAPPED, seq 7
            "efffffff" + // error -17
            "20000000 1000 0506 07000000 00000000"); // the request's header

        var reader = new NetlinkMessageReader(datagram);
        Assert.True(reader.Next(out NetlinkMessage m));
        int errno = RouteReplies.Error(m.Flags, m.Payload, out string? detail);

        Assert.Equal(2, m.Type);
        Assert.Equal(7u, m.Sequence);
        Assert.Equal(Errno.EEXIST, errno);
        Assert.Null(detail);
        Assert.False(reader.Next(out _));
    }

    [Fact]
    public void ErrorAck_WithExtendedAck_GivesTheKernelsMessage()
    {
        byte[] datagram = Hex(
            "30000000 0200 0003 07000000 00000000" + // NLMSG_ERROR, NLM_F_CAPPED|NLM_F_ACK_TLVS
            "eaffffff" + // -EINVAL
            "20000000 1000 0506 07000000 00000000" +
            "0900 0100 626f6f6d 00 000000"); // NLMSGERR_ATTR_MSG "boom"

        var reader = new NetlinkMessageReader(datagram);
        Assert.True(reader.Next(out NetlinkMessage m));

        Assert.Equal(Errno.EINVAL, RouteReplies.Error(m.Flags, m.Payload, out string? detail));
        Assert.Equal("boom", detail);
    }

    [Fact]
    public void Ack_IsErrorZero()
    {
        byte[] payload = Hex("00000000 20000000 1000 0506 07000000 00000000");

        Assert.Equal(0, RouteReplies.Error(0x100, payload, out _));
    }

    [Fact]
    public void LinkDump_ParsesEachLinkThenDone()
    {
        // First link: RTM_NEWLINK, NLM_F_MULTI, seq 3, port 0x1234: 16 + 16 + 12 + 8 + 8 + 24 = 84 bytes.
        // Second link: lo, down, no master, no kind: 16 + 16 + 8 = 40 bytes. Then NLMSG_DONE with error 0.
        byte[] datagram = Hex(
            "54000000 1000 0200 03000000 34120000" +
            "00 00 0100 07000000 43100100 00000000" + // ifinfomsg: ARPHRD_ETHER, index 7, flags UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
            "0900 0300 6e6c7430 00 000000" + // IFLA_IFNAME "nlt0"
            "0800 0400 dc050000" + // IFLA_MTU 1500
            "0800 0a00 03000000" + // IFLA_MASTER 3
            "1800 1200" + // IFLA_LINKINFO, 24 bytes
            "0800 0100 76657468" + //   IFLA_INFO_KIND "veth" (no NUL)
            "0c00 0200 0800 0100 02000000" + //   IFLA_INFO_DATA { 8 bytes }
            "28000000 1000 0200 03000000 34120000" +
            "00 00 0403 01000000 08000000 00000000" +
            "0700 0300 6c6f00 00" +
            "14000000 0300 0200 03000000 34120000 00000000");

        var reader = new NetlinkMessageReader(datagram);
        Assert.True(reader.Next(out NetlinkMessage first));
        LinkInfo veth = RouteReplies.Link(first.Payload);
        Assert.True(reader.Next(out NetlinkMessage second));
        LinkInfo lo = RouteReplies.Link(second.Payload);
        Assert.True(reader.Next(out NetlinkMessage done));

        Assert.Equal(new LinkInfo(7, "nlt0", "veth", 3, true), veth);
        Assert.Equal(new LinkInfo(1, "lo", null, 0, false), lo);
        Assert.Equal(3, done.Type);
        Assert.Equal(0x1234u, done.PortId);
        Assert.False(reader.Next(out _));
    }

    [Fact]
    public void AddressMessages_PreferTheLocalAddress()
    {
        byte[] v4 = Hex(
            "02 18 80 00 05000000" + // AF_INET /24, IFA_F_PERMANENT, universe, link 5
            "0800 0100 0afa4d01" + // IFA_ADDRESS (the peer on point-to-point links)
            "0800 0200 0afa4d02" + // IFA_LOCAL
            "0800 0400 0afa4dff");
        byte[] v6 = Hex(
            "0a 40 80 00 05000000" +
            "1400 0100 fd000000000000000000000000000001");
        byte[] other = Hex("11 00 00 00 05000000");

        Assert.Equal(new AddressInfo(5, IPAddress.Parse("10.250.77.2"), 24), RouteReplies.Address(v4));
        Assert.Equal(new AddressInfo(5, IPAddress.Parse("fd00::1"), 64), RouteReplies.Address(v6));
        Assert.Null(RouteReplies.Address(other));
        Assert.Equal(5, RouteReplies.AddressIndex(v4));
    }

    [Fact]
    public void LinkLocalAddresses_CarryTheLinkAsScope()
    {
        byte[] payload = Hex("0a 40 80 fd 05000000" + "1400 0100 fe800000000000000000000000000001");

        AddressInfo address = RouteReplies.Address(payload)!;

        Assert.Equal(IPAddress.Parse("fe80::1%5"), address.Address);
        Assert.Equal(5, address.Address.ScopeId);
    }

    [Fact]
    public void NestedAttributes_AreWalkedInOrder()
    {
        byte[] attributes = Hex("0500 0100 aa 000000" + "0c00 0280 0800 0300 01020304" + "0400 0400");
        var reader = new NetlinkAttributeReader(attributes);

        Assert.True(reader.Next(out ushort t1, out ReadOnlySpan<byte> v1));
        Assert.Equal(1, t1);
        Assert.Equal([0xaa], v1.ToArray());
        Assert.True(reader.Next(out ushort t2, out ReadOnlySpan<byte> v2));
        Assert.Equal(2, t2); // NLA_F_NESTED masked off
        var inner = new NetlinkAttributeReader(v2);
        Assert.True(inner.Next(out ushort t3, out ReadOnlySpan<byte> v3));
        Assert.Equal(3, t3);
        Assert.Equal([1, 2, 3, 4], v3.ToArray());
        Assert.False(inner.Next(out _, out _));
        Assert.True(reader.Next(out ushort t4, out ReadOnlySpan<byte> v4));
        Assert.Equal(4, t4);
        Assert.True(v4.IsEmpty);
        Assert.False(reader.Next(out _, out _));
    }

    [Fact]
    public void MalformedLengths_ThrowEio()
    {
        byte[] messageTooLong = Hex("40000000 0300 0000 01000000 00000000");
        byte[] attributeTooLong = Hex("2000 0100 00000000");

        var e1 = Assert.Throws<LinuxException>(() => new NetlinkMessageReader(messageTooLong).Next(out _));
        var e2 = Assert.Throws<LinuxException>(() => new NetlinkAttributeReader(attributeTooLong).Next(out _, out _));
        var e3 = Assert.Throws<LinuxException>(() => RouteReplies.Error(0, new byte[8], out _));

        Assert.Equal(Errno.EIO, e1.Errno);
        Assert.Equal(Errno.EIO, e2.Errno);
        Assert.Equal(Errno.EIO, e3.Errno);
    }
}
