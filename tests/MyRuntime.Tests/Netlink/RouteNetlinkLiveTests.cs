using System.Net;
using System.Text.Json;
using MyRuntime.Linux;
using MyRuntime.Linux.Netlink;

namespace MyRuntime.Tests.Netlink;

/// <summary>RouteNetlink against the real kernel (root), only inside network namespaces the tests make.</summary>
public class RouteNetlinkLiveTests
{
    private const int ENODEV = 19;

    [Fact]
    public void BridgeAndVethIntoAnotherNetns_CarryTraffic()
    {
        using var host = new TestNetns("h");
        using var container = new TestNetns("c");
        int containerFd = Files.Open(container.Path, Files.O_RDONLY);
        try
        {
            using (RouteNetlink nl = RouteNetlink.OpenIn(host.Path))
            {
                nl.CreateBridge("nltbr0");
                int bridge = nl.LinkIndex("nltbr0") ?? throw new InvalidOperationException("no bridge");
                nl.CreateVeth("nltv0", "eth0", containerFd);
                int veth = nl.LinkIndex("nltv0") ?? throw new InvalidOperationException("no veth");
                nl.SetMaster(veth, bridge);
                nl.SetUp(veth);
                nl.SetUp(bridge);
                nl.AddAddress(bridge, IPAddress.Parse("10.250.77.1"), 24);

                Assert.Null(nl.LinkIndex("eth0")); // the peer went straight into the other namespace
                IReadOnlyList<LinkInfo> links = nl.Links();
                Assert.Contains(new LinkInfo(bridge, "nltbr0", "bridge", 0, true), links);
                Assert.Contains(new LinkInfo(veth, "nltv0", "veth", bridge, true), links);
                Assert.Contains(links, l => l.Name == "lo" && l.Kind is null && l.Index == 1);
                Assert.Equal([new AddressInfo(bridge, IPAddress.Parse("10.250.77.1"), 24)], nl.Addresses(bridge));
            }

            using (RouteNetlink nl = RouteNetlink.OpenIn(container.Path))
            {
                int eth0 = nl.LinkIndex("eth0") ?? throw new InvalidOperationException("no eth0");
                int lo = nl.LinkIndex("lo") ?? throw new InvalidOperationException("no lo");
                nl.SetUp(lo);
                nl.SetUp(eth0);
                nl.AddAddress(eth0, IPAddress.Parse("10.250.77.2"), 24);
                nl.AddRoute(null, 0, IPAddress.Parse("10.250.77.1"), eth0);

                Assert.Contains(new AddressInfo(eth0, IPAddress.Parse("10.250.77.2"), 24), nl.Addresses(eth0));
                Assert.Contains(new AddressInfo(lo, IPAddress.Loopback, 8), nl.Addresses(lo));
            }
        }
        finally
        {
            Files.Close(containerFd);
        }

        using (JsonDocument link = Ip(host, "link", "show", "nltv0"))
        {
            JsonElement l = link.RootElement[0];
            Assert.Equal("nltbr0", l.GetProperty("master").GetString());
            Assert.Contains("UP", l.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        }

        using (JsonDocument addr = Ip(container, "addr", "show", "eth0"))
        {
            JsonElement info = addr.RootElement[0].GetProperty("addr_info").EnumerateArray()
                .Single(a => a.GetProperty("family").GetString() == "inet");
            Assert.Equal("10.250.77.2", info.GetProperty("local").GetString());
            Assert.Equal(24, info.GetProperty("prefixlen").GetInt32());
            Assert.Equal("10.250.77.255", info.GetProperty("broadcast").GetString());
        }

        using (JsonDocument route = Ip(container, "route", "show", "default"))
        {
            JsonElement r = route.RootElement.EnumerateArray().Single();
            Assert.Equal("10.250.77.1", r.GetProperty("gateway").GetString());
            Assert.Equal("eth0", r.GetProperty("dev").GetString());
        }

        Assert.True(Ping(container, "10.250.77.1"), "the container namespace cannot ping the bridge");
        Assert.True(Ping(container, "127.0.0.1"), "lo is not up in the container namespace");
    }

    [Fact]
    public void KernelErrors_CarryErrnoAndContext()
    {
        using var ns = new TestNetns("e");
        using RouteNetlink nl = RouteNetlink.OpenIn(ns.Path);

        Assert.Null(nl.LinkIndex("nltmissing"));

        nl.CreateBridge("nltbr1");
        var exists = Assert.Throws<LinuxException>(() => nl.CreateBridge("nltbr1"));
        Assert.Equal(Errno.EEXIST, exists.Errno);
        Assert.StartsWith("create bridge nltbr1", exists.Message, StringComparison.Ordinal);

        int bridge = nl.LinkIndex("nltbr1")!.Value;
        nl.AddAddress(bridge, IPAddress.Parse("10.250.79.1"), 24);
        var addressExists = Assert.Throws<LinuxException>(() => nl.AddAddress(bridge, IPAddress.Parse("10.250.79.1"), 24));
        Assert.Equal(Errno.EEXIST, addressExists.Errno);

        nl.DeleteLink(bridge);
        var gone = Assert.Throws<LinuxException>(() => nl.DeleteLink(bridge));
        Assert.Equal(ENODEV, gone.Errno);
        Assert.StartsWith($"delete link {bridge}", gone.Message, StringComparison.Ordinal);
        Assert.Null(nl.LinkIndex("nltbr1"));

        // The socket still works after errors (replies stay in step with requests).
        Assert.Contains(nl.Links(), l => l.Name == "lo");
    }

    [Fact]
    public void VethInTheSameNetns_AndIpv6Addresses()
    {
        using var ns = new TestNetns("v");
        using RouteNetlink nl = RouteNetlink.OpenIn(ns.Path);

        nl.CreateVeth("nltv2", "nltv3", -1);
        int a = nl.LinkIndex("nltv2")!.Value;
        int b = nl.LinkIndex("nltv3")!.Value;
        nl.AddAddress(a, IPAddress.Parse("fd00:250::2"), 64);
        nl.AddAddress(a, IPAddress.Parse("10.250.80.2"), 30);

        IReadOnlyList<AddressInfo> addresses = nl.Addresses(a);
        Assert.Contains(new AddressInfo(a, IPAddress.Parse("fd00:250::2"), 64), addresses);
        Assert.Contains(new AddressInfo(a, IPAddress.Parse("10.250.80.2"), 30), addresses);
        Assert.Empty(nl.Addresses(b));
        Assert.Equal(["nltv2", "nltv3"], nl.Links().Where(l => l.Kind == "veth").Select(l => l.Name).Order());

        nl.DeleteLink(a); // takes its peer along
        Assert.Null(nl.LinkIndex("nltv3"));
    }

    [Fact]
    public void OpenIn_LeavesTheThreadInItsOwnNetns_EvenOnFailure()
    {
        ulong before = Namespaces.Inode("/proc/thread-self/ns/net");
        using var ns = new TestNetns("o");

        using (RouteNetlink nl = RouteNetlink.OpenIn(ns.Path))
        {
            Assert.Single(nl.Links()); // only lo: the socket speaks to the other namespace
        }

        Assert.Equal(before, Namespaces.Inode("/proc/thread-self/ns/net"));

        var missing = Assert.Throws<LinuxException>(() => RouteNetlink.OpenIn("/run/netns/nltest-does-not-exist"));
        Assert.Equal(Errno.ENOENT, missing.Errno);
        var notNetns = Assert.Throws<LinuxException>(() => RouteNetlink.OpenIn("/proc/self/ns/uts"));
        Assert.Equal(Errno.EINVAL, notNetns.Errno);
        Assert.Contains("enter the network namespace /proc/self/ns/uts", notNetns.Message, StringComparison.Ordinal);
        Assert.Equal(before, Namespaces.Inode("/proc/thread-self/ns/net"));
    }

    [Fact]
    public void Open_SpeaksToTheCallersNetns()
    {
        using RouteNetlink nl = RouteNetlink.Open();

        Assert.Equal(1, nl.LinkIndex("lo"));
        Assert.Contains(nl.Links(), l => l is { Index: 1, Name: "lo", Up: true });
    }

    [Fact]
    public void Disposed_Throws()
    {
        RouteNetlink nl = RouteNetlink.Open();
        nl.Dispose();

        Assert.Throws<ObjectDisposedException>(() => nl.Links());
    }

    private static JsonDocument Ip(TestNetns ns, params string[] args) =>
        JsonDocument.Parse(TestNetns.Run("ip", ["-n", ns.Name, "-j", .. args]));

    private static bool Ping(TestNetns ns, string address)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            if (TestNetns.TryRun("ip", "netns", "exec", ns.Name, "busybox", "ping", "-c1", "-W1", address).Code == 0)
            {
                return true;
            }
        }

        return false;
    }
}
