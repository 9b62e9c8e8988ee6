using MyRuntime.Engine;
using MyRuntime.Engine.Bundle;
using MyRuntime.Engine.Networking;

namespace MyRuntime.Tests.Engine;

public sealed class NetworkSettingsTests
{
    private const string HostResolv = "# generated\nnameserver 192.0.2.53\nsearch example.org\noptions edns0\n";

    [Fact]
    public void DnsFlagsReplaceTheHostsLinesOfTheirKind()
    {
        var dns = new DnsSettings { Servers = ["10.1.2.3", "10.1.2.4"] };
        Assert.Equal("# generated\nsearch example.org\noptions edns0\nnameserver 10.1.2.3\nnameserver 10.1.2.4\n", dns.Apply(HostResolv));

        var all = new DnsSettings { Servers = ["10.1.2.3"], Search = ["a.test", "b.test"], Options = ["ndots:2"] };
        Assert.Equal("# generated\nsearch a.test b.test\nnameserver 10.1.2.3\noptions ndots:2\n", all.Apply(HostResolv));
        Assert.Equal(HostResolv, new DnsSettings().Apply(HostResolv));
    }

    [Fact]
    public void BadDnsAndAddHostAreRefused()
    {
        Assert.Contains("not an ip address", Assert.Throws<EngineException>(() => new DnsSettings { Servers = ["dns.example"] }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("--add-host", Assert.Throws<EngineException>(() => new DnsSettings { ExtraHosts = ["db"] }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("--add-host", Assert.Throws<EngineException>(() => new DnsSettings { ExtraHosts = ["db:not-an-ip"] }.Validate()).Message, StringComparison.Ordinal);
        new DnsSettings { Servers = ["10.0.0.1"], ExtraHosts = ["db:10.0.0.2", "v6:fd00::1"] }.Validate();
    }

    [Fact]
    public void HostsHoldExtraHostsOwnAddressAndPeers()
    {
        string hosts = HostFiles.Hosts("abc123\tweb", "10.67.0.2", ["db:10.9.9.9", "v6:fd00::1"], [("10.67.0.3", "cache")]);
        string[] lines = hosts.TrimEnd('\n').Split('\n');
        Assert.Equal("127.0.0.1\tlocalhost", lines[0]);
        Assert.Contains("10.9.9.9\tdb", lines);
        Assert.Contains("fd00::1\tv6", lines);
        Assert.Contains("10.67.0.2\tabc123\tweb", lines);
        Assert.Equal("10.67.0.3\tcache", lines[^1]);
        Assert.Contains("127.0.1.1\tbox", HostFiles.Hosts("box"), StringComparison.Ordinal);
    }

    [Fact]
    public void RewriteKeepsTheFilesInode()
    {
        using var dir = new TempDir();
        string path = dir.File("hosts", "a much longer first content than the second\n");
        var before = new FileInfo(path);
        ulong inode = Inode(path);
        HostFiles.Rewrite(path, "short\n");
        Assert.Equal("short\n", File.ReadAllText(path));
        Assert.Equal(inode, Inode(path));
        Assert.True(before.Exists);
    }

    [Fact]
    public void LoopbackOnlyResolversGiveWayToTheLocalResolversUpstreams()
    {
        using var dir = new TempDir();
        string upstream = dir.File("upstream.conf", "nameserver 192.0.2.53\nsearch corp.test\n");
        string stub = dir.File("stub.conf", "nameserver 127.0.0.53\noptions edns0\n");
        string plain = dir.File("plain.conf", "nameserver 192.0.2.1\n");
        Assert.Equal("nameserver 192.0.2.53\nsearch corp.test\n", HostFiles.HostResolvConf(stub, hostNetwork: false, upstream));
        Assert.Equal("nameserver 127.0.0.53\noptions edns0\n", HostFiles.HostResolvConf(stub, hostNetwork: true, upstream));
        Assert.Equal("nameserver 192.0.2.1\n", HostFiles.HostResolvConf(plain, hostNetwork: false, upstream));
        Assert.Equal("nameserver 127.0.0.53\noptions edns0\n", HostFiles.HostResolvConf(stub, hostNetwork: false, dir["missing"]));
    }

    [Theory]
    [InlineData("80/tcp", 80, "tcp")]
    [InlineData("53/udp", 53, "udp")]
    [InlineData("8080", 8080, "tcp")]
    public void ExposedPortsBecomePortsToPublish(string key, int port, string protocol)
    {
        var p = ExposedPort.Parse(key);
        Assert.Equal((0, port, protocol, "0.0.0.0"), (p.HostPort, p.ContainerPort, p.Protocol, p.HostIp));
    }

    [Theory]
    [InlineData("80/sctp")]
    [InlineData("0/tcp")]
    [InlineData("http")]
    public void BadExposedPortsAreRefused(string key) => Assert.Throws<EngineException>(() => ExposedPort.Parse(key));

    [Theory]
    [InlineData(null, "bridge", true)]
    [InlineData("default", "bridge", true)]
    [InlineData("none", "none", false)]
    [InlineData("host", "host", false)]
    [InlineData("container:web", "container:web", false)]
    [InlineData("appnet", "appnet", true)]
    public void NetworkModes(string? flag, string value, bool bridge)
    {
        var mode = NetworkMode.Parse(flag);
        Assert.Equal(value, mode.Value);
        Assert.Equal(bridge, mode.IsBridge);
    }

    private static ulong Inode(string path) => MyRuntime.Linux.FileMetadata.TryLstat(path)!.Value.Inode;
}
