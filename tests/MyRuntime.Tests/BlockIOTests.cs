using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Cgroups;
using MyRuntime.Runtime.Cgroups.V1;
using MyRuntime.Runtime.Cgroups.V2;

namespace MyRuntime.Tests;

public sealed class BlockIOTests
{
    private static LinuxThrottleDevice T(long major, long minor, ulong rate) => new() { Major = major, Minor = minor, Rate = rate };

    private static string Fails(LinuxBlockIO b) =>
        Assert.Throws<RuntimeException>(() => Cgroup.Validate(new LinuxResources { BlockIO = b })).Message;

    [Fact]
    public void Validate_AcceptsTheOciRanges()
    {
        Cgroup.Validate(new LinuxResources
        {
            BlockIO = new LinuxBlockIO
            {
                Weight = 10,
                LeafWeight = 1000,
                WeightDevice = [new LinuxWeightDevice { Major = 8, Minor = 0, Weight = 500 }],
                ThrottleWriteBpsDevice = [T(7, 0, 0), T(4095, 1048575, ulong.MaxValue)],
            },
        });
    }

    [Theory]
    [InlineData((ushort)9, "weight 9 is out of range 10..1000")]
    [InlineData((ushort)1001, "weight 1001 is out of range 10..1000")]
    [InlineData((ushort)0, "weight 0 is out of range")]
    public void Validate_WeightOutOfRange(ushort weight, string message)
    {
        Assert.Contains(message, Fails(new LinuxBlockIO { Weight = weight }));
    }

    [Fact]
    public void Validate_BadDevicesAndWeights()
    {
        Assert.Contains("leafWeight 5", Fails(new LinuxBlockIO { LeafWeight = 5 }));
        Assert.Contains("throttleReadBpsDevice: device -1:0", Fails(new LinuxBlockIO { ThrottleReadBpsDevice = [T(-1, 0, 1)] }));
        Assert.Contains("throttleWriteIOPSDevice: device 8:-3", Fails(new LinuxBlockIO { ThrottleWriteIOPSDevice = [T(8, -3, 1)] }));
        Assert.Contains("device 4096:0", Fails(new LinuxBlockIO { ThrottleReadIOPSDevice = [T(4096, 0, 1)] }));
        Assert.Contains("weightDevice[8:0].weight 2000", Fails(new LinuxBlockIO { WeightDevice = [new LinuxWeightDevice { Major = 8, Weight = 2000 }] }));
        Assert.Contains("neither weight nor leafWeight", Fails(new LinuxBlockIO { WeightDevice = [new LinuxWeightDevice { Major = 8 }] }));
        Assert.DoesNotContain('\n', Fails(new LinuxBlockIO { Weight = 1 }));
    }

    [Fact]
    public void V1_UsesCfqFilesWhereTheyExist_ElseBfq()
    {
        var b = new LinuxBlockIO { Weight = 300, WeightDevice = [new LinuxWeightDevice { Major = 8, Minor = 16, Weight = 200, LeafWeight = 100 }] };

        var cfq = BlkioV1.Writes(b, f => f == "blkio.weight");
        Assert.Equal(
            [("blkio.weight", "300"), ("blkio.weight_device", "8:16 200"), ("blkio.leaf_weight_device", "8:16 100")],
            cfq.Select(w => (w.File, w.Value)));

        var bfq = BlkioV1.Writes(b, _ => false);
        Assert.Equal(["blkio.bfq.weight", "blkio.bfq.weight_device", "blkio.leaf_weight_device"], bfq.Select(w => w.File));
    }

    [Fact]
    public void V1_ThrottlesAreOneLinePerDeviceInTheirFiles()
    {
        var b = new LinuxBlockIO
        {
            ThrottleReadBpsDevice = [T(8, 0, 2097152)],
            ThrottleWriteBpsDevice = [T(7, 3, 1048576), T(8, 0, 0)],
            ThrottleReadIOPSDevice = [T(8, 0, 100)],
            ThrottleWriteIOPSDevice = [T(8, 0, 50)],
        };

        Assert.Equal(
            [
                ("throttleReadBpsDevice", "blkio.throttle.read_bps_device", "8:0 2097152"),
                ("throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "7:3 1048576"),
                ("throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "8:0 0"),
                ("throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "8:0 100"),
                ("throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "8:0 50"),
            ],
            BlkioV1.Writes(b, _ => true).Select(w => (w.Field, w.File, w.Value)));
    }

    [Theory]
    [InlineData((ushort)10, 1UL)]
    [InlineData((ushort)500, 4950UL)]
    [InlineData((ushort)1000, 10000UL)]
    [InlineData((ushort)100, 910UL)]
    public void V2_WeightConversion_MapsV1RangeOntoIoWeight(ushort v1, ulong v2)
    {
        Assert.Equal(v2, IoV2.ToIoWeight(v1));
    }

    [Fact]
    public void V2_WeightGoesToBfqAsIs_OrToIoWeightConverted()
    {
        var b = new LinuxBlockIO { Weight = 500, WeightDevice = [new LinuxWeightDevice { Major = 8, Minor = 0, Weight = 10 }] };

        Assert.Equal([("io.bfq.weight", "500"), ("io.bfq.weight", "8:0 10")], IoV2.Writes(b, bfq: true, bfqPerDevice: true).Select(w => (w.File, w.Value)));
        Assert.Equal([("io.bfq.weight", "500"), ("io.weight", "8:0 1")], IoV2.Writes(b, bfq: true, bfqPerDevice: false).Select(w => (w.File, w.Value)));
        Assert.Equal([("io.weight", "4950"), ("io.weight", "8:0 1")], IoV2.Writes(b, bfq: false, bfqPerDevice: false).Select(w => (w.File, w.Value)));
    }

    [Fact]
    public void V2_IoMax_OneLinePerDevice_ZeroMeansMax()
    {
        var b = new LinuxBlockIO
        {
            ThrottleReadBpsDevice = [T(8, 0, 2097152)],
            ThrottleWriteBpsDevice = [T(7, 3, 1048576), T(8, 0, 0)],
            ThrottleWriteIOPSDevice = [T(8, 0, 50)],
        };

        Assert.Equal(
            [("io.max", "8:0 rbps=2097152 wbps=max wiops=50"), ("io.max", "7:3 wbps=1048576")],
            IoV2.Writes(b, false, false).Select(w => (w.File, w.Value)));
    }

    [Fact]
    public void V2_LeafWeightIsRefused()
    {
        var e = Assert.Throws<RuntimeException>(() => IoV2.Writes(new LinuxBlockIO { LeafWeight = 100 }, false, false));
        Assert.Contains("leaf", e.Message);
    }

    [Fact]
    public void Merge_ReplacesGivenWeights_AndDeviceEntriesByDevice()
    {
        var old = new LinuxResources
        {
            Pids = new LinuxPids { Limit = 5 },
            BlockIO = new LinuxBlockIO
            {
                Weight = 100,
                LeafWeight = 200,
                WeightDevice = [new LinuxWeightDevice { Major = 8, Minor = 0, Weight = 300, LeafWeight = 400 }],
                ThrottleWriteBpsDevice = [T(8, 0, 1), T(7, 0, 2)],
            },
        };

        var merged = ResourceMerge.Merge(old, new LinuxResources
        {
            BlockIO = new LinuxBlockIO
            {
                Weight = 700,
                WeightDevice = [new LinuxWeightDevice { Major = 8, Minor = 0, Weight = 350 }],
                ThrottleWriteBpsDevice = [T(7, 0, 9), T(9, 1, 3)],
                ThrottleReadBpsDevice = [T(8, 0, 4)],
            },
        });

        var b = merged.BlockIO!;
        Assert.Equal(5, merged.Pids!.Limit);
        Assert.Equal((ushort)700, b.Weight);
        Assert.Equal((ushort)200, b.LeafWeight);
        Assert.Equal((ushort)350, Assert.Single(b.WeightDevice!).Weight);
        Assert.Equal((ushort)400, b.WeightDevice![0].LeafWeight);
        Assert.Equal([(8L, 0L, 1UL), (7L, 0L, 9UL), (9L, 1L, 3UL)], b.ThrottleWriteBpsDevice!.Select(t => (t.Major, t.Minor, t.Rate)));
        Assert.Equal((8L, 0L, 4UL), b.ThrottleReadBpsDevice!.Select(t => (t.Major, t.Minor, t.Rate)).Single());
        Assert.Null(b.ThrottleReadIOPSDevice);
    }

    [Fact]
    public void Merge_IntoNothing_TakesTheUpdate()
    {
        var merged = ResourceMerge.Merge(null, new LinuxResources { BlockIO = new LinuxBlockIO { Weight = 50 } });
        Assert.Equal((ushort)50, merged.BlockIO!.Weight);
    }
}
