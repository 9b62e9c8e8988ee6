using System.Diagnostics;
using System.Net;
using MyRuntime.Linux;
using MyRuntime.Linux.Netlink;
using Xunit.Abstractions;

namespace MyRuntime.Tests.Netlink;

/// <summary>Times the per-container network setup as the engine will do it (printed, not asserted): a veth from
/// the host side into a fresh container netns, the host end on a bridge, then eth0, lo, address and route inside.</summary>
public class RouteNetlinkTimingTests(ITestOutputHelper output)
{
    private const int Iterations = 100;

    [Fact]
    public void PerContainerSetup_IsTimed()
    {
        using var host = new TestNetns("th");
        var containers = new List<TestNetns>();
        try
        {
            int bridge;
            using (RouteNetlink nl = RouteNetlink.OpenIn(host.Path))
            {
                nl.CreateBridge("nltbr2");
                bridge = nl.LinkIndex("nltbr2")!.Value;
                nl.SetUp(bridge);
                nl.AddAddress(bridge, IPAddress.Parse("10.250.78.1"), 24);
            }

            IPAddress gateway = IPAddress.Parse("10.250.78.1");
            var total = TimeSpan.Zero;
            var worst = TimeSpan.Zero;
            for (int i = 0; i < Iterations; i++)
            {
                var container = new TestNetns($"t{i}");
                containers.Add(container);
                var watch = Stopwatch.StartNew();
                SetUpContainer(host.Path, container.Path, $"nltm{i}", bridge, IPAddress.Parse($"10.250.78.{i + 2}"), gateway);
                watch.Stop();
                total += watch.Elapsed;
                worst = watch.Elapsed > worst ? watch.Elapsed : worst;
            }

            output.WriteLine($"per-container netlink setup: mean {total.TotalMilliseconds / Iterations:F3} ms, worst {worst.TotalMilliseconds:F3} ms over {Iterations}");
            using (RouteNetlink nl = RouteNetlink.OpenIn(host.Path))
            {
                Assert.Equal(Iterations, nl.Links().Count(l => l.Kind == "veth" && l.MasterIndex == bridge && l.Up));
            }

            using (RouteNetlink nl = RouteNetlink.OpenIn(containers[^1].Path))
            {
                int eth0 = nl.LinkIndex("eth0")!.Value;
                Assert.Equal(
                    [new AddressInfo(eth0, IPAddress.Parse($"10.250.78.{Iterations + 1}"), 24)],
                    nl.Addresses(eth0).Where(a => a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork));
            }
        }
        finally
        {
            foreach (TestNetns container in containers)
            {
                container.Dispose();
            }
        }
    }

    private static void SetUpContainer(string hostNetns, string containerNetns, string hostEnd, int bridge, IPAddress address, IPAddress gateway)
    {
        int containerFd = Files.Open(containerNetns, Files.O_RDONLY);
        try
        {
            using (RouteNetlink nl = RouteNetlink.OpenIn(hostNetns))
            {
                nl.CreateVeth(hostEnd, "eth0", containerFd);
                int veth = nl.LinkIndex(hostEnd)!.Value;
                nl.SetMaster(veth, bridge);
                nl.SetUp(veth);
            }

            using (RouteNetlink nl = RouteNetlink.OpenIn(containerNetns))
            {
                int eth0 = nl.LinkIndex("eth0")!.Value;
                nl.SetUp(1); // lo is always index 1 in a fresh netns
                nl.SetUp(eth0);
                nl.AddAddress(eth0, address, 24);
                nl.AddRoute(null, 0, gateway, eth0);
            }
        }
        finally
        {
            Files.Close(containerFd);
        }
    }
}
