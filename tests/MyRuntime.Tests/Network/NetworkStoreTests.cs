using MyRuntime.Network;
using MyRuntime.Network.Endpoints;
using MyRuntime.Network.Networks;
using MyRuntime.Network.Ports;

namespace MyRuntime.Tests.Network;

public sealed class NetworkStoreTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void KeepsConfigsAndEndpoints()
    {
        var store = new NetworkStore(dir.Path);
        var config = new NetworkConfig { Id = new string('a', 64), Name = "appnet", Bridge = "mr-aaaaaaaaaaaa", Subnet = "10.67.0.0/24", Gateway = "10.67.0.1", Created = DateTimeOffset.UtcNow };
        store.Save(config);
        Assert.Equal("appnet", store.Get("appnet").Name);
        Assert.Equal("appnet", store.Get("aaaa").Name);
        Assert.Null(store.Find("nosuch"));
        Assert.Equal("network nosuch not found", Assert.Throws<NetworkException>(() => store.Get("nosuch")).Message);

        string cid = new('c', 64);
        store.SaveEndpoint(config, new Endpoint { ContainerId = cid, ContainerName = "web", Address = "10.67.0.2", PrefixLength = 24, Ports = [new PublishedPort("0.0.0.0", 8080, 80, "tcp")] });
        var (network, endpoint) = Assert.Single(store.EndpointsOf(cid));
        Assert.Equal("appnet", network.Name);
        Assert.Equal(8080, Assert.Single(endpoint.Ports).HostPort);
        store.RemoveEndpoint(config, cid);
        Assert.Empty(store.EndpointsOf(cid));

        store.Delete(config);
        Assert.Empty(store.List());
    }

    [Theory]
    [InlineData("appnet", true)]
    [InlineData("a.b-c_d", true)]
    [InlineData("-x", false)]
    [InlineData("bad name", false)]
    [InlineData("", false)]
    public void NetworkNames(string name, bool valid) => Assert.Equal(valid, NetworkStore.IsValidName(name));

    [Fact]
    public void CreateRefusesBadInputBeforeTouchingTheHost()
    {
        var manager = new NetworkManager(new NetworkStore(dir.Path));
        Assert.Contains("reserved", Assert.Throws<NetworkException>(() => manager.Create("host", null, null)).Message, StringComparison.Ordinal);
        Assert.Contains("invalid network name", Assert.Throws<NetworkException>(() => manager.Create("bad name", null, null)).Message, StringComparison.Ordinal);
        Assert.Contains("invalid subnet", Assert.Throws<NetworkException>(() => manager.Create("n1", "10.0.0.0/40", null)).Message, StringComparison.Ordinal);
        Assert.Contains("invalid gateway", Assert.Throws<NetworkException>(() => manager.Create("n1", "10.68.1.0/24", "10.68.2.1")).Message, StringComparison.Ordinal);
        Assert.Empty(manager.Store.List());
    }

    [Fact]
    public void HostRoutesSkipTheDefaultRoute()
    {
        const string text = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
            + "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
            + "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
            + "br0\t0000420A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";
        Assert.Equal(["192.0.2.0/24", "10.66.0.0/16"], NetworkStore.ParseRoutes(text).Select(r => r.ToString()).ToArray());
    }
}
