using System.Net;
using MyRuntime.Network;
using MyRuntime.Network.Firewall;
using MyRuntime.Network.Ports;

namespace MyRuntime.Tests.Network;

public sealed class FirewallRulesTests
{
    [Fact]
    public void Network_MasqueradesIsolatesAndAccepts()
    {
        var rules = FirewallRules.Network("mr-0123456789ab", "172.30.5.7/24");

        Assert.Equal(
        [
            "nat -A MYRUNTIME-POSTROUTING -s 172.30.5.0/24 ! -o mr-0123456789ab -m comment --comment myruntime:net:mr-0123456789ab -j MASQUERADE",
            "nat -A MYRUNTIME-POSTROUTING -o mr-0123456789ab -m addrtype --src-type LOCAL -m comment --comment myruntime:net:mr-0123456789ab -j MASQUERADE",
            "nat -A MYRUNTIME-POSTROUTING -s 172.30.5.0/24 -o mr-0123456789ab -m conntrack --ctstate DNAT -m comment --comment myruntime:net:mr-0123456789ab -j MASQUERADE",
            "filter top -A MYRUNTIME-FORWARD -i mr-0123456789ab -o mr-0123456789ab -m comment --comment myruntime:net:mr-0123456789ab -j ACCEPT",
            "filter top -A MYRUNTIME-FORWARD -i mr-0123456789ab -o myruntime0 -m comment --comment myruntime:net:mr-0123456789ab -j DROP",
            "filter top -A MYRUNTIME-FORWARD -i mr-0123456789ab -o mr-+ -m comment --comment myruntime:net:mr-0123456789ab -j DROP",
            "filter -A MYRUNTIME-FORWARD -i mr-0123456789ab -m comment --comment myruntime:net:mr-0123456789ab -j ACCEPT",
            "filter -A MYRUNTIME-FORWARD -o mr-0123456789ab -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment myruntime:net:mr-0123456789ab -j ACCEPT",
        ],
        rules.Select(Describe));
    }

    [Fact]
    public void Network_DefaultBridge_IsNotDroppedToItself()
    {
        var rules = FirewallRules.Network("myruntime0", "10.88.0.0/16").Select(r => r.Line).ToList();

        Assert.DoesNotContain(rules, r => r.Contains("-o myruntime0 -m comment --comment myruntime:net:myruntime0 -j DROP", StringComparison.Ordinal));
        Assert.Contains("-A MYRUNTIME-FORWARD -i myruntime0 -o mr-+ -m comment --comment myruntime:net:myruntime0 -j DROP", rules);
    }

    [Fact]
    public void Ports_DnatAndForwardAcceptEach()
    {
        var rules = FirewallRules.PortRules("c0ffee", "myruntime0", IPAddress.Parse("10.88.0.5"),
            [new PublishedPort("0.0.0.0", 8080, 80, "tcp"), new PublishedPort("127.0.0.1", 5353, 53, "udp")]);

        Assert.Equal(
        [
            "nat -A MYRUNTIME-PORTS -p tcp -m tcp --dport 8080 -m comment --comment myruntime:ctr:c0ffee -j DNAT --to-destination 10.88.0.5:80",
            "filter -A MYRUNTIME-FORWARD -d 10.88.0.5/32 -o myruntime0 -p tcp -m tcp --dport 80 -m comment --comment myruntime:ctr:c0ffee -j ACCEPT",
            "nat -A MYRUNTIME-PORTS -d 127.0.0.1/32 -p udp -m udp --dport 5353 -m comment --comment myruntime:ctr:c0ffee -j DNAT --to-destination 10.88.0.5:53",
            "filter -A MYRUNTIME-FORWARD -d 10.88.0.5/32 -o myruntime0 -p udp -m udp --dport 53 -m comment --comment myruntime:ctr:c0ffee -j ACCEPT",
        ],
        rules.Select(Describe));
    }

    [Fact]
    public void Base_JumpsFromTheBuiltInChains()
    {
        Assert.Equal(
        [
            "nat -A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment myruntime -j MYRUNTIME-PREROUTING",
            "nat -A OUTPUT -m addrtype --dst-type LOCAL -m comment --comment myruntime -j MYRUNTIME-OUTPUT",
            "nat -A POSTROUTING -m comment --comment myruntime -j MYRUNTIME-POSTROUTING",
            "nat -A MYRUNTIME-PREROUTING -m comment --comment myruntime -j MYRUNTIME-PORTS",
            "nat -A MYRUNTIME-OUTPUT -m comment --comment myruntime -j MYRUNTIME-PORTS",
            "filter top -A FORWARD -m comment --comment myruntime -j MYRUNTIME-FORWARD",
        ],
        FirewallRules.Base().Select(Describe));
    }

    [Theory]
    [InlineData("10.251.1.1/24", "10.251.1.0/24")]
    [InlineData("172.30.0.0/16", "172.30.0.0/16")]
    [InlineData("10.1.2.3/32", "10.1.2.3/32")]
    [InlineData("10.200.0.0/9", "10.128.0.0/9")]
    public void NormalizeSubnet_MasksTheHostBits(string given, string expected) => Assert.Equal(expected, FirewallRules.NormalizeSubnet(given));

    [Theory]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/0")]
    [InlineData("fd00::/64")]
    [InlineData("10.0.0.0/x")]
    public void NormalizeSubnet_RefusesNonIpv4Cidrs(string given) =>
        Assert.Equal($"invalid subnet \"{given}\" (an IPv4 CIDR such as 172.30.0.0/16)", Assert.Throws<NetworkException>(() => FirewallRules.NormalizeSubnet(given)).Message);

    [Fact]
    public void BadInput_IsRefusedBeforeAnyRuleIsMade()
    {
        var ip = IPAddress.Parse("10.88.0.5");
        var port = new PublishedPort("0.0.0.0", 8080, 80, "tcp");

        Assert.Equal("invalid bridge name \"br 0\"", Assert.Throws<NetworkException>(() => FirewallRules.Network("br 0", "10.0.0.0/24")).Message);
        Assert.Equal("invalid bridge name \"abcdefghijklmnop\"", Assert.Throws<NetworkException>(() => FirewallRules.Network("abcdefghijklmnop", "10.0.0.0/24")).Message);
        Assert.Equal("invalid container id \"a\"b\" for firewall rules", Assert.Throws<NetworkException>(() => FirewallRules.PortRules("a\"b", "br0", ip, [port])).Message);
        Assert.Equal("published port 0:80/tcp has no valid host or container port",
            Assert.Throws<NetworkException>(() => FirewallRules.PortRules("c", "br0", ip, [port with { HostPort = 0 }])).Message);
        Assert.Equal("unsupported protocol \"sctp\" (tcp or udp)", Assert.Throws<NetworkException>(() => FirewallRules.PortRules("c", "br0", ip, [port with { Protocol = "sctp" }])).Message);
        Assert.Equal("host address \"::1\" is not an IPv4 address", Assert.Throws<NetworkException>(() => FirewallRules.PortRules("c", "br0", ip, [port with { HostIp = "::1" }])).Message);
        Assert.Equal("container address ::1 is not an IPv4 address", Assert.Throws<NetworkException>(() => FirewallRules.PortRules("c", "br0", IPAddress.IPv6Loopback, [port])).Message);
    }

    [Theory]
    [InlineData("-A MYRUNTIME-FORWARD -i x -j ACCEPT", true)]
    [InlineData("-A FORWARD -m comment --comment myruntime -j MYRUNTIME-FORWARD", true)]
    [InlineData("-A FORWARD -j DOCKER-USER", false)]
    [InlineData("-N MYRUNTIME-FORWARD", false)]
    [InlineData("-A DOCKER -i docker0 -j RETURN", false)]
    public void IsOurs_OurChainsAndTheJumpsToThem(string line, bool ours) => Assert.Equal(ours, FirewallRules.IsOurs(line));

    [Fact]
    public void State_ParsesChainsAndRules_QuotesAside()
    {
        var state = IptablesState.Parse("""
            # Generated by iptables-save v1.8.9 (nf_tables)
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :MYRUNTIME-FORWARD - [0:0]
            -A FORWARD -m comment --comment myruntime -j MYRUNTIME-FORWARD
            -A MYRUNTIME-FORWARD -i br0 -m comment --comment "myruntime:net:br0" -j ACCEPT
            -A MYRUNTIME-FORWARD -i br0 -m comment --comment "myruntime:net:br0" -j ACCEPT
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            COMMIT
            """);

        Assert.True(state.HasChain("filter", "MYRUNTIME-FORWARD"));
        Assert.True(state.HasChain("nat", "PREROUTING"));
        Assert.False(state.HasChain("nat", "MYRUNTIME-FORWARD"));
        Assert.Equal(2, state.Count(new FirewallRule("filter", "MYRUNTIME-FORWARD", "-i br0 -m comment --comment myruntime:net:br0 -j ACCEPT")));
        Assert.Equal(1, state.Count(new FirewallRule("filter", "FORWARD", "-m comment --comment myruntime -j MYRUNTIME-FORWARD")));
        Assert.Equal(0, state.Count(new FirewallRule("nat", "FORWARD", "-m comment --comment myruntime -j MYRUNTIME-FORWARD")));
    }

    [Fact]
    public void Script_GroupsByTableAndCommitsEach()
    {
        var script = new RestoreScript();
        Assert.True(script.IsEmpty);
        script.NewChain("filter", "MYRUNTIME-FORWARD");
        script.InsertAtTop(new FirewallRule("filter", "FORWARD", "-j MYRUNTIME-FORWARD"));
        script.Append(new FirewallRule("nat", "MYRUNTIME-PORTS", "-p tcp -j ACCEPT"));
        script.Delete(new FirewallRule("nat", "MYRUNTIME-PORTS", "-p udp -j ACCEPT"));
        script.DeleteChain("nat", "MYRUNTIME-PORTS");

        Assert.Equal(
            "*nat\n-A MYRUNTIME-PORTS -p tcp -j ACCEPT\n-D MYRUNTIME-PORTS -p udp -j ACCEPT\n-X MYRUNTIME-PORTS\nCOMMIT\n" +
            "*filter\n:MYRUNTIME-FORWARD - [0:0]\n-I FORWARD 1 -j MYRUNTIME-FORWARD\nCOMMIT\n",
            script.Text());
    }

    private static string Describe(FirewallRule r) => $"{r.Table}{(r.AtTop ? " top" : string.Empty)} {r.Line}";
}
