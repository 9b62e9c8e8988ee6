using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>linux.resources.blockIO: blkio on v1/hybrid, io on v2, with a loop device the test makes as the disk.</summary>
public sealed class CgroupIoTests : IntegrationTest
{
    private static bool V2 => CgroupSupport.V2;

    private static string CgroupDir(int pid) => CgroupSupport.CgroupDir(pid, V2 ? "io" : "blkio");

    private static string Read(int pid, string file) => File.ReadAllText(Path.Combine(CgroupDir(pid), file)).Trim();

    private Bundle WithDisk(LoopDevice disk, string? blockIOJson) => disk.AddTo(Env.NewBundle(), blockIOJson);

    [Fact]
    public void Throttles_LandInTheCgroupFiles_AndDeleteRemovesTheCgroup()
    {
        using var disk = LoopDevice.Attach(Env.NewDir("disk"));
        string dev = $"{disk.Major}:{disk.Minor}";
        var b = WithDisk(disk, $$"""
            {
              "throttleReadBpsDevice":[{"major":{{disk.Major}},"minor":{{disk.Minor}},"rate":2097152}],
              "throttleWriteBpsDevice":[{"major":{{disk.Major}},"minor":{{disk.Minor}},"rate":1048576}],
              "throttleReadIOPSDevice":[{"major":{{disk.Major}},"minor":{{disk.Minor}},"rate":300}],
              "throttleWriteIOPSDevice":[{"major":{{disk.Major}},"minor":{{disk.Minor}},"rate":200}]
            }
            """);
        var (id, pid) = Env.CreateAndStart(b, "sleep", "1000");

        Assert.EndsWith($"myruntime-{id}", CgroupDir(pid));
        if (V2)
        {
            Assert.Contains($"{dev} rbps=2097152 wbps=1048576 riops=300 wiops=200", Read(pid, "io.max"));
        }
        else
        {
            Assert.Equal($"{dev} 2097152", Read(pid, "blkio.throttle.read_bps_device"));
            Assert.Equal($"{dev} 1048576", Read(pid, "blkio.throttle.write_bps_device"));
            Assert.Equal($"{dev} 300", Read(pid, "blkio.throttle.read_iops_device"));
            Assert.Equal($"{dev} 200", Read(pid, "blkio.throttle.write_iops_device"));
        }

        Env.RunOk("delete", "--force", id);
        Assert.Empty(CgroupSupport.CgroupDirsNamed(id));
    }

    [Fact]
    public void Update_AddsThrottlesToARunningContainerCreatedWithout_EveryProcessFollows()
    {
        using var disk = LoopDevice.Attach(Env.NewDir("disk"));
        string dev = $"{disk.Major}:{disk.Minor}";
        var (id, pid) = Env.CreateAndStart(WithDisk(disk, null), "sh", "-c", "sleep 1000 & sleep 1000");

        var r = Env.Runtime.Run(["update", "--resources", "-", id], stdin: $$$"""{"blockIO":{"throttleWriteBpsDevice":[{"major":{{{disk.Major}}},"minor":{{{disk.Minor}}},"rate":3145728}]}}""");
        Assert.True(r.ExitCode == 0, r.ToString());

        // On v1 the container joins the blkio hierarchy only now: all of its processes must be in its new cgroup.
        string dir = CgroupDir(pid);
        Assert.EndsWith($"myruntime-{id}", dir);
        var procs = File.ReadAllLines(Path.Combine(dir, "cgroup.procs")).Select(int.Parse).ToList();
        Assert.Equal(Env.RunOk("ps", "--format", "json", id).Stdout.Trim().Trim('[', ']').Split(',').Select(int.Parse).Order(), procs.Order());
        Assert.True(procs.Count >= 2, string.Join(' ', procs));
        Assert.Contains(V2 ? $"{dev} rbps=max wbps=3145728" : $"{dev} 3145728", Read(pid, V2 ? "io.max" : "blkio.throttle.write_bps_device"));

        // A second update changes the device's rate in place; a bad one changes nothing.
        r = Env.Runtime.Run(["update", "--resources", "-", id], stdin: $$$"""{"blockIO":{"throttleWriteBpsDevice":[{"major":{{{disk.Major}}},"minor":{{{disk.Minor}}},"rate":2097152}]}}""");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains(V2 ? $"{dev} rbps=max wbps=2097152" : $"{dev} 2097152", Read(pid, V2 ? "io.max" : "blkio.throttle.write_bps_device"));
        var bad = Env.Runtime.Run(["update", "--resources", "-", id], stdin: """{"blockIO":{"throttleWriteBpsDevice":[{"major":-1,"minor":0,"rate":1}]}}""");
        Assert.True(bad.ExitCode != 0, bad.ToString());
        Assert.Single(bad.StderrLines);

        Env.RunOk("delete", "--force", id);
        Assert.Empty(CgroupSupport.CgroupDirsNamed(id));
    }

    [BlkioWeightFact]
    public void UpdateBlkioWeight_SetsTheWeight_AndRejectsOutOfRange()
    {
        var (id, pid) = Env.CreateAndStart(Env.NewBundle(), "sleep", "1000");

        Env.RunOk("update", "--blkio-weight", "300", id);

        string dir = CgroupDir(pid);
        Assert.EndsWith($"myruntime-{id}", dir);
        if (File.Exists(Path.Combine(dir, V2 ? "io.bfq.weight" : "blkio.bfq.weight")) && !File.Exists(Path.Combine(dir, "blkio.weight")))
        {
            // BFQ takes v1's range on both layouts; v2's file reads "default 300".
            Assert.EndsWith("300", Read(pid, V2 ? "io.bfq.weight" : "blkio.bfq.weight").Split('\n')[0]);
        }
        else
        {
            // CFQ's blkio.weight as is, or v2's io.weight (1..10000): 1 + (300 - 10) * 9999 / 990.
            Assert.EndsWith(V2 ? "2930" : "300", Read(pid, V2 ? "io.weight" : "blkio.weight").Split('\n')[0]);
        }

        foreach (string weight in new[] { "5", "1001", "70000", "heavy" })
        {
            var bad = Env.Run("update", "--blkio-weight", weight, id);
            Assert.True(bad.ExitCode != 0, bad.ToString());
            Assert.Single(bad.StderrLines);
            Assert.Contains("weight", bad.Stderr);
        }

        Env.RunOk("delete", "--force", id);
        Assert.Empty(CgroupSupport.CgroupDirsNamed(id));
    }

    [Theory]
    [InlineData("""{"weight":5}""", "weight 5")]
    [InlineData("""{"weight":1001}""", "weight 1001")]
    [InlineData("""{"leafWeight":2}""", "leafWeight 2")]
    [InlineData("""{"weightDevice":[{"major":8,"minor":0}]}""", "weightDevice")]
    [InlineData("""{"throttleReadBpsDevice":[{"major":-8,"minor":0,"rate":1}]}""", "throttleReadBpsDevice")]
    [InlineData("""{"throttleWriteIOPSDevice":[{"major":8,"minor":-1,"rate":1}]}""", "throttleWriteIOPSDevice")]
    [InlineData("""{"throttleWriteBpsDevice":[{"major":4095,"minor":1048575,"rate":1048576}]}""", "4095:1048575")] // no such device: the kernel refuses
    public void BadBlockIO_FailsCleanly_LeavingNoCgroup(string blockIO, string mentioned)
    {
        CgroupSupport.AssertCreateRefused(Env, CgroupSupport.WithResources(Env.NewBundle(), $$"""{"blockIO":{{blockIO}}}"""), mentioned);
    }

}

/// <summary>A [Fact] skipped where the kernel has no block IO weight: cgroup v1 needs CFQ (blkio.weight) or BFQ group
/// scheduling (blkio.bfq.*), v2 the iocost controller (io.weight) or BFQ (io.bfq.weight).</summary>
public sealed class BlkioWeightFactAttribute : FactAttribute
{
    public BlkioWeightFactAttribute()
    {
        bool supported = CgroupSupport.V2
            ? File.Exists("/sys/fs/cgroup/io.cost.model") || File.Exists("/sys/module/bfq/parameters") || Directory.Exists("/sys/module/bfq")
            : File.Exists("/sys/fs/cgroup/blkio/blkio.weight") || File.Exists("/sys/fs/cgroup/blkio/blkio.bfq.io_service_bytes");
        if (!supported)
        {
            Skip = CgroupSupport.V2
                ? "this kernel has no io weight: neither the iocost controller (io.cost.model) nor BFQ"
                : "this kernel has no blkio weight: neither CFQ (blkio.weight) nor BFQ group scheduling (blkio.bfq.*)";
        }
    }
}
