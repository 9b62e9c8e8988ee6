using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Cgroups;
using MyRuntime.Runtime.Cgroups.V2;

namespace MyRuntime.Tests;

/// <summary>Validation and merging of linux.resources, and what the controller files receive.</summary>
public sealed class CgroupResourceTests
{
    [Fact]
    public void Validate_AcceptsSensibleLimits() => Cgroup.Validate(new LinuxResources
    {
        Memory = new LinuxMemory { Limit = 64 << 20, Swap = 128 << 20, Reservation = 32 << 20 },
        Cpu = new LinuxCpu { Quota = 50_000, Period = 100_000, Shares = 512 },
        Pids = new LinuxPids { Limit = 32 },
    });

    [Theory]
    [InlineData(-5L, null, "memory.limit")]
    [InlineData(0L, null, "memory.limit")]
    [InlineData(128L << 20, 64L << 20, "swap")]
    public void Validate_RefusesBadMemory(long limit, long? swap, string mentioned)
    {
        var e = Assert.Throws<RuntimeException>(() => Cgroup.Validate(new LinuxResources { Memory = new LinuxMemory { Limit = limit, Swap = swap } }));
        Assert.Contains(mentioned, e.Message);
    }

    [Fact]
    public void Validate_RefusesAQuotaWithoutAPeriod_AndNegativePids()
    {
        Assert.Contains("period", Assert.Throws<RuntimeException>(() => Cgroup.Validate(new LinuxResources { Cpu = new LinuxCpu { Quota = 50_000 } })).Message);
        Assert.Contains("pids", Assert.Throws<RuntimeException>(() => Cgroup.Validate(new LinuxResources { Pids = new LinuxPids { Limit = -2 } })).Message);
    }

    [Fact]
    public void Merge_KeepsWhatTheUpdateDoesNotSay()
    {
        var old = new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 64 << 20, Swap = 128 << 20 },
            Cpu = new LinuxCpu { Quota = 50_000, Period = 100_000 },
        };

        var merged = ResourceMerge.Merge(old, new LinuxResources { Memory = new LinuxMemory { Limit = 32 << 20 }, Pids = new LinuxPids { Limit = 9 } });

        Assert.Equal(32 << 20, merged.Memory!.Limit);
        Assert.Equal(128 << 20, merged.Memory.Swap);
        Assert.Equal(50_000, merged.Cpu!.Quota);
        Assert.Equal(9, merged.Pids!.Limit);
    }

    [Fact]
    public void CpuV2_WritesWeightAndMax_AndAPeriodAloneKeepsTheQuota()
    {
        using var dir = new TempDir();
        dir.File("cpu.max", "max 100000");
        dir.File("cpu.weight", "100");

        CpuV2.Apply(dir.Path, new LinuxCpu { Shares = 1024, Quota = 50_000, Period = 100_000 });
        Assert.Equal("50000 100000", File.ReadAllText(dir["cpu.max"]));
        Assert.Equal("39", File.ReadAllText(dir["cpu.weight"])); // runc's conversion of the default 1024 shares

        CpuV2.Apply(dir.Path, new LinuxCpu { Period = 200_000 });
        Assert.Equal("50000 200000", File.ReadAllText(dir["cpu.max"]));

        CpuV2.Apply(dir.Path, new LinuxCpu { Quota = -1 });
        Assert.Equal("max 100000", File.ReadAllText(dir["cpu.max"]));
    }

    [Fact]
    public void Parents_AreTheMissingAncestors_DeepestFirst_AndOnlyEmptyOnesAreRemoved()
    {
        using var root = new TempDir();
        root.Dir("hierarchy");
        var dirs = new Dictionary<string, string> { ["memory"] = root["hierarchy/pod/group/ctr"] };

        var missing = CgroupParents.Missing(dirs);
        Assert.Equal([root["hierarchy/pod/group"], root["hierarchy/pod"]], missing);

        root.Dir("hierarchy/pod/group/other");
        CgroupParents.Remove(missing);
        Assert.True(Directory.Exists(root["hierarchy/pod/group/other"]));

        Directory.Delete(root["hierarchy/pod/group/other"]);
        CgroupParents.Remove(missing);
        Assert.False(Directory.Exists(root["hierarchy/pod"]));
        Assert.True(Directory.Exists(root["hierarchy"]));
    }
}
