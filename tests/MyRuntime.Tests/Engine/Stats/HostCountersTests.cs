using MyRuntime.Engine;
using MyRuntime.Engine.Stats;

namespace MyRuntime.Tests.Engine.Stats;

public class HostCountersTests
{
    [Fact]
    public void SystemCpu_SumsTheFirstSevenFieldsInNanoseconds()
    {
        const string stat = "cpu  100 2 30 4000 5 6 7 800 0 0\ncpu0 50 1 15 2000 2 3 3 400 0 0\nintr 1 2\n";

        Assert.Equal((100UL + 2 + 30 + 4000 + 5 + 6 + 7) * 10_000_000, HostCounters.ParseSystemCpuNs(stat));
        Assert.Throws<EngineException>(() => HostCounters.ParseSystemCpuNs("intr 1\n"));
    }

    [Fact]
    public void MemTotal_IsInBytes() =>
        Assert.Equal(8040236UL * 1024, HostCounters.ParseMemTotal("MemTotal:        8040236 kB\nMemFree:         1000 kB\n"));

    [Theory]
    [InlineData("0\n", 1)]
    [InlineData("0-3\n", 4)]
    [InlineData("0-1,4,6-7", 5)]
    public void CpuList_Counts(string list, int expected) => Assert.Equal(expected, HostCounters.ParseCpuList(list));

    [Fact]
    public void NetDev_SumsEveryInterfaceButLoopback()
    {
        const string dev = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo:  999999     100    0    0    0     0          0         0   999999     100    0    0    0     0       0          0
              eth0:    1500      10    0    0    0     0          0         0      700       5    0    0    0     0       0          0
              eth1:100      1    0    0    0     0          0         0       20       1    0    0    0     0       0          0
            """;

        Assert.Equal(new NetworkCounters(1600, 720), HostCounters.ParseNetDev(dev));
    }

    [Fact]
    public void Live_ReadsThisHost()
    {
        Assert.True(HostCounters.SystemCpuNs() > 0);
        Assert.True(HostCounters.MemTotal() > 0);
        Assert.True(HostCounters.OnlineCpus() >= 1);
        Assert.Equal(default, HostCounters.Network(-1));
    }
}
