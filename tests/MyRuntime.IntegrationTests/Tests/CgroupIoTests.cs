using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>linux.resources.blockIO: blkio on v1/hybrid, io on v2, with a loop device the test makes as the disk.</summary>
public sealed partial class CgroupIoTests : IntegrationTest
{
    private const int MiB = 1 << 20;

    private static bool V2 => CgroupSupport.V2;

    private static string CgroupDir(int pid) => CgroupSupport.CgroupDir(pid, V2 ? "io" : "blkio");

    private static string Read(int pid, string file) => File.ReadAllText(Path.Combine(CgroupDir(pid), file)).Trim();

    /// <summary>A bundle whose container sees the loop device as /dev/io0, with an explicit device cgroup rule for
    /// it (bundles may deny devices by default), and the given blockIO.</summary>
    private Bundle WithDisk(LoopDevice disk, string? blockIOJson)
    {
        var b = Env.NewBundle();
        b.Linux["devices"] = new JsonArray(new JsonObject { ["path"] = "/dev/io0", ["type"] = "b", ["major"] = disk.Major, ["minor"] = disk.Minor });
        var resources = new JsonObject
        {
            ["devices"] = new JsonArray(new JsonObject { ["allow"] = true, ["type"] = "b", ["major"] = disk.Major, ["minor"] = disk.Minor, ["access"] = "rwm" }),
        };
        if (blockIOJson is not null)
        {
            resources["blockIO"] = JsonNode.Parse(blockIOJson);
        }

        b.Linux["resources"] = resources;
        return b;
    }

    [Fact]
    public void WriteLimit1MiBps_DirectIoToALoopDevice_RunsAt1MiBps_AndStatsCountTheBytes()
    {
        using var disk = LoopDevice.Attach(Env.NewDir("disk"));
        var b = WithDisk(disk, $$"""{"throttleWriteBpsDevice":[{"major":{{disk.Major}},"minor":{{disk.Minor}},"rate":{{MiB}}}]}""");
        var (id, _) = Env.CreateAndStart(b, "sleep", "1000");

        // O_DIRECT, so that every byte goes through the throttle as it is written (not later from the page cache).
        // The first MiB takes up whatever the throttle lets through at once when IO starts; the timed 4 MiB after it
        // then run at the steady rate.
        var r = Env.Runtime.Run(
            ["exec", id, "sh", "-c", "dd if=/dev/zero of=/dev/io0 bs=64k count=16 oflag=direct 2>/dev/null && time dd if=/dev/zero of=/dev/io0 bs=64k count=64 seek=16 oflag=direct"],
            timeout: TimeSpan.FromSeconds(30 * TestSettings.TimeoutScale));

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("64+0 records out", r.Stderr);
        var real = RealTime().Match(r.Stderr);
        Assert.True(real.Success, r.ToString());
        double seconds = (int.Parse(real.Groups[1].Value, CultureInfo.InvariantCulture) * 60) + double.Parse(real.Groups[2].Value, CultureInfo.InvariantCulture);
        double mibPerSecond = 4 / seconds;
        Console.WriteLine($"CgroupIoTests: 4 MiB of O_DIRECT writes at a 1 MiB/s limit took {seconds:0.00} s: {mibPerSecond:0.000} MiB/s ({(V2 ? "v2" : "v1")})");
        Assert.InRange(mibPerSecond, 0.8, 1.2);

        var stats = JsonNode.Parse(Env.RunOk("events", "--stats", id).Stdout)!["data"]!["blkio"]!["ioServiceBytesRecursive"]!.AsArray();
        var written = stats.Where(e => e!["major"]!.GetValue<long>() == disk.Major && e["minor"]!.GetValue<long>() == disk.Minor
            && e["op"]!.GetValue<string>() == "Write").Select(e => e!["value"]!.GetValue<ulong>()).ToList();
        Assert.True(written.Count == 1 && written[0] >= 5UL * MiB, stats.ToJsonString());
    }

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
        var b = CgroupSupport.WithResources(Env.NewBundle(), $$"""{"blockIO":{{blockIO}}}""").Args("true").Save();
        var id = Env.NewId();

        var r = Env.Run("create", "--bundle", b.Dir, id);

        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Single(r.StderrLines);
        Assert.Contains(mentioned, r.Stderr);
        Assert.DoesNotContain(id, Env.StateEntries());
        Assert.Empty(CgroupSupport.CgroupDirsNamed(id));
    }

    [GeneratedRegex(@"real\s+(\d+)m\s*([0-9.]+)s")]
    private static partial Regex RealTime();

    /// <summary>A loop device over a sparse file of the test's: a disk of its own to throttle. Detached on Dispose
    /// (lazily, if a container still holds it open).</summary>
    private sealed class LoopDevice : IDisposable
    {
        private LoopDevice(string path, int major, int minor)
        {
            Path = path;
            Major = major;
            Minor = minor;
        }

        public string Path { get; }

        public int Major { get; }

        public int Minor { get; }

        public static LoopDevice Attach(string dir)
        {
            string image = System.IO.Path.Combine(dir, "disk.img");
            using (var f = File.Create(image))
            {
                f.SetLength(16 * MiB);
            }

            if (!File.Exists("/dev/loop-control"))
            {
                HostCommand.Run("modprobe", "loop"); // a guest without udev: the node appears with the module
            }

            var r = HostCommand.Run("losetup", "-f", "--show", image);
            Assert.True(r.ExitCode == 0 && r.Stdout.Trim().StartsWith("/dev/loop", StringComparison.Ordinal), r.ToString());
            string path = r.Stdout.Trim();
            try
            {
                string[] dev = File.ReadAllText($"/sys/class/block/{System.IO.Path.GetFileName(path)}/dev").Trim().Split(':');
                return new LoopDevice(path, int.Parse(dev[0], CultureInfo.InvariantCulture), int.Parse(dev[1], CultureInfo.InvariantCulture));
            }
            catch
            {
                HostCommand.Run("losetup", "-d", path);
                throw;
            }
        }

        public void Dispose() => HostCommand.Run("losetup", "-d", Path);
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
