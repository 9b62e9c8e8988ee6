using MyRuntime.Linux;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Config;

namespace MyRuntime.Tests;

public class SchedulingTests
{
    [Theory]
    [InlineData("0", new[] { 0 })]
    [InlineData("0-3,7", new[] { 0, 1, 2, 3, 7 })]
    [InlineData("7,0-1,1", new[] { 0, 1, 7 })]
    [InlineData("1023", new[] { 1023 })]
    public void CpuList_ParsesRangesAndSingles(string list, int[] cpus) =>
        Assert.Equal(cpus, CpuList.Parse(list, "field"));

    [Theory]
    [InlineData("")]
    [InlineData("3-1")]
    [InlineData("1-2-3")]
    [InlineData("a")]
    [InlineData("-1")]
    [InlineData("1024")]
    [InlineData("0,,1")]
    public void CpuList_Malformed_IsAOneLineErrorNamingTheField(string list)
    {
        var e = Assert.Throws<RuntimeException>(() => CpuList.Parse(list, "process.execCPUAffinity.final"));

        Assert.StartsWith($"process.execCPUAffinity.final '{list}'", e.Message);
    }

    [Fact]
    public void Names_MapToTheKernelsNumbers()
    {
        Assert.Equal(3, Scheduling.Policy("SCHED_BATCH"));
        Assert.Equal(6, Scheduling.Policy("SCHED_DEADLINE"));
        Assert.Equal(-1, Scheduling.Policy("sched_batch"));
        Assert.Equal(1UL, Scheduling.Flag("SCHED_FLAG_RESET_ON_FORK"));
        Assert.Equal(0x40UL, Scheduling.Flag("SCHED_FLAG_UTIL_CLAMP_MAX"));
        Assert.Equal(0UL, Scheduling.Flag("SCHED_FLAG_NONE"));
        Assert.Equal((2 << 13) | 4, Scheduling.IoPriority("IOPRIO_CLASS_BE", 4));
        Assert.Equal(3 << 13, Scheduling.IoPriority("IOPRIO_CLASS_IDLE", 0));
        Assert.Equal(-1, Scheduling.IoPriority("IOPRIO_CLASS_BE", 8));
        Assert.Equal(-1, Scheduling.IoPriority("IOPRIO_CLASS_NONE", 0));
        Assert.Equal(8, Scheduling.PersonalityDomain("LINUX32"));
        Assert.Equal(0, Scheduling.PersonalityDomain("LINUX"));
        Assert.Equal(-1, Scheduling.PersonalityDomain("LINUX64"));
    }

    [Fact]
    public void Mask_SetsOneBitPerCpu()
    {
        var mask = Scheduling.Mask([0, 2, 64, 1023]);

        Assert.Equal(Scheduling.MaxCpus / 64, mask.Length);
        Assert.Equal(5UL, mask[0]);
        Assert.Equal(1UL, mask[1]);
        Assert.Equal(1UL << 63, mask[^1]);
    }
}
