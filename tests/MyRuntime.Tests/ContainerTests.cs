using MyRuntime.Linux;
using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Tests;

public class IdMapsTests
{
    private static readonly List<IdMapping> Maps =
    [
        new() { ContainerId = 0, HostId = 100000, Size = 1000 },
        new() { ContainerId = 1000, HostId = 1000, Size = 1 },
        new() { ContainerId = 2000, HostId = 300000, Size = 10 },
    ];

    [Theory]
    [InlineData(0u, 100000u)]
    [InlineData(1u, 100001u)]
    [InlineData(999u, 100999u)]
    [InlineData(1000u, 1000u)]
    [InlineData(2000u, 300000u)]
    [InlineData(2009u, 300009u)]
    public void ToHost_MapsIdsInsideARange(uint id, uint host)
    {
        Assert.Equal(host, IdMaps.ToHost(id, Maps));
    }

    [Theory]
    [InlineData(1001u)]
    [InlineData(2010u)]
    [InlineData(65534u)]
    public void ToHost_LeavesIdsOutsideEveryRangeUnchanged(uint id)
    {
        Assert.Equal(id, IdMaps.ToHost(id, Maps));
    }

    [Fact]
    public void ToHost_WithoutMappingsIsTheIdentity()
    {
        Assert.Equal(5u, IdMaps.ToHost(5, null));
        Assert.Equal(5u, IdMaps.ToHost(5, []));
    }

    [Fact]
    public void ToHost_ZeroSizedRangeMapsNothing()
    {
        Assert.Equal(7u, IdMaps.ToHost(7, [new IdMapping { ContainerId = 7, HostId = 1, Size = 0 }]));
    }

    [Fact]
    public void ToHost_FirstMatchingRangeWins()
    {
        List<IdMapping> overlapping =
        [
            new() { ContainerId = 0, HostId = 10, Size = 5 },
            new() { ContainerId = 0, HostId = 50, Size = 5 },
        ];

        Assert.Equal(12u, IdMaps.ToHost(2, overlapping));
    }
}

public sealed class LiveStatusTests : IDisposable
{
    private readonly TempDir tmp = new();

    public void Dispose() => tmp.Dispose();

    private static ContainerState Self(string id = "self") => new()
    {
        Id = id,
        Pid = Environment.ProcessId,
        PidStartTime = ProcFs.Stat(Environment.ProcessId)!.Value.StartTime,
    };

    [Fact]
    public void IsInitAlive_ForTheCurrentProcessWithItsStartTime()
    {
        Assert.True(LiveStatus.IsInitAlive(Self()));
    }

    [Fact]
    public void IsInitAlive_FalseWhenTheStartTimeDiffers()
    {
        var s = Self();
        s.PidStartTime += 1;

        Assert.False(LiveStatus.IsInitAlive(s));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void IsInitAlive_FalseForNonPositivePid(int pid)
    {
        var s = Self();
        s.Pid = pid;

        Assert.False(LiveStatus.IsInitAlive(s));
    }

    [Fact]
    public void IsInitAlive_FalseForAPidThatDoesNotExist()
    {
        var s = Self();
        s.Pid = int.MaxValue;

        Assert.False(LiveStatus.IsInitAlive(s));
    }

    [Fact]
    public void Of_AliveWithTheExecFifoIsCreated()
    {
        var store = new StateStore(tmp.Path);
        tmp.File("c/" + StateStore.FifoFile);

        Assert.Equal(ContainerStatus.Created, LiveStatus.Of(Self("c"), store));
    }

    [Fact]
    public void Of_AliveWithoutTheExecFifoIsRunning()
    {
        var store = new StateStore(tmp.Path);
        tmp.Dir("c");

        Assert.Equal(ContainerStatus.Running, LiveStatus.Of(Self("c"), store));
    }

    [Fact]
    public void Of_DeadIsStoppedEvenWithTheExecFifo()
    {
        var store = new StateStore(tmp.Path);
        tmp.File("c/" + StateStore.FifoFile);
        var s = Self("c");
        s.PidStartTime += 1;

        Assert.Equal(ContainerStatus.Stopped, LiveStatus.Of(s, store));
    }
}

public class ContainerStateTests
{
    [Fact]
    public void ToOciState_CarriesIdPidBundleAndAnnotations()
    {
        var s = new ContainerState
        {
            Id = "c1",
            Pid = 321,
            Bundle = "/b",
            Config = new Spec { Annotations = new() { ["k"] = "v" } },
        };

        var oci = s.ToOciState(ContainerStatus.Running);

        Assert.Equal("c1", oci.Id);
        Assert.Equal(321, oci.Pid);
        Assert.Equal("/b", oci.Bundle);
        Assert.Equal(ContainerStatus.Running, oci.Status);
        Assert.Equal(SpecVersion.Current, oci.OciVersion);
        Assert.Equal("v", oci.Annotations!["k"]);
    }

    [Fact]
    public void ToOciState_StoppedHasNoPid()
    {
        var s = new ContainerState { Id = "c1", Pid = 321 };

        Assert.Equal(0, s.ToOciState(ContainerStatus.Stopped).Pid);
        Assert.Equal(321, s.ToOciState(ContainerStatus.Created).Pid);
    }
}

public sealed class OperationsTests : IDisposable
{
    private readonly TempDir tmp = new();
    private readonly Operations ops;

    public OperationsTests()
    {
        ops = new Operations(new RuntimeContext(tmp.Path, NullLog.Instance));
    }

    public void Dispose() => tmp.Dispose();

    private void Save(string id, int pid, ulong startTime, bool fifo)
    {
        using (ops.Store.CreateLocked(id))
        {
            ops.Store.Save(new ContainerState { Id = id, Pid = pid, PidStartTime = startTime, Bundle = "/b/" + id, Owner = 0 });
        }

        if (fifo)
        {
            File.WriteAllText(ops.Store.FifoOf(id), "");
        }
    }

    [Fact]
    public void State_ReportsTheLiveStatus()
    {
        ulong start = ProcFs.Stat(Environment.ProcessId)!.Value.StartTime;
        Save("live", Environment.ProcessId, start, fifo: true);
        Save("dead", Environment.ProcessId, start + 1, fifo: false);

        var live = ops.State("live");
        var dead = ops.State("dead");

        Assert.Equal((ContainerStatus.Created, Environment.ProcessId), (live.Status, live.Pid));
        Assert.Equal((ContainerStatus.Stopped, 0), (dead.Status, dead.Pid));
    }

    [Fact]
    public void State_OfAMissingContainerThrows()
    {
        var e = Assert.Throws<RuntimeException>(() => ops.State("ghost"));

        Assert.Equal("container ghost does not exist", e.Message);
    }

    [Fact]
    public void List_SummarisesEveryContainer()
    {
        ulong start = ProcFs.Stat(Environment.ProcessId)!.Value.StartTime;
        Save("b-running", Environment.ProcessId, start, fifo: false);
        Save("a-stopped", 0, 0, fifo: false);

        var list = ops.List();

        Assert.Equal(["a-stopped", "b-running"], list.Select(c => c.Id));
        Assert.Equal((ContainerStatus.Stopped, 0, "root"), (list[0].Status, list[0].Pid, list[0].Owner));
        Assert.Equal((ContainerStatus.Running, Environment.ProcessId), (list[1].Status, list[1].Pid));
        Assert.Equal("/b/b-running", list[1].Bundle);
    }

    [Fact]
    public void ToJson_UsesRuncFieldNames()
    {
        string json = Operations.ToJson([new ContainerSummary { Id = "x", Status = ContainerStatus.Running, Pid = 5, Owner = "root" }]);

        Assert.StartsWith("[{\"ociVersion\":\"" + SpecVersion.Current + "\"", json);
        Assert.Contains("\"id\":\"x\"", json);
        Assert.Contains("\"status\":\"running\"", json);
        Assert.Contains("\"pid\":5", json);
        Assert.DoesNotContain("annotations", json);
    }
}
