using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups.V1;

/// <summary>blkio on v1: the weights (CFQ's blkio.weight where that exists, else BFQ's blkio.bfq.weight, as runc
/// does), leaf weights (CFQ only), and blk-throttle's per-device limits ("MAJ:MIN RATE"; a rate of 0 removes the
/// device's limit).</summary>
public static class BlkioV1
{
    public static void Apply(string dir, LinuxBlockIO b)
    {
        foreach (var w in Writes(b, file => File.Exists(Path.Combine(dir, file))))
        {
            if (!File.Exists(Path.Combine(dir, w.File)))
            {
                throw new RuntimeException($"linux.resources.blockIO.{w.Field}: this kernel has no {w.File} ({Why(w.File)})");
            }

            CgroupFiles.Write(dir, w.File, w.Value);
        }
    }

    /// <summary>The writes that apply <paramref name="b"/>, in order; <paramref name="exists"/> tells which control
    /// files the cgroup has.</summary>
    public static List<BlockIOLimits.Write> Writes(LinuxBlockIO b, Func<string, bool> exists)
    {
        bool cfq = exists("blkio.weight");
        string weight = cfq ? "blkio.weight" : "blkio.bfq.weight";
        string weightDevice = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
        var writes = new List<BlockIOLimits.Write>();
        if (b.Weight is { } bw)
        {
            writes.Add(new("weight", weight, BlockIOLimits.Number(bw)));
        }

        if (b.LeafWeight is { } lw)
        {
            writes.Add(new("leafWeight", "blkio.leaf_weight", BlockIOLimits.Number(lw)));
        }

        foreach (var d in b.WeightDevice ?? [])
        {
            if (d.Weight is { } w)
            {
                writes.Add(new("weightDevice", weightDevice, BlockIOLimits.Entry(d.Major, d.Minor, BlockIOLimits.Number(w))));
            }

            if (d.LeafWeight is { } l)
            {
                writes.Add(new("weightDevice", "blkio.leaf_weight_device", BlockIOLimits.Entry(d.Major, d.Minor, BlockIOLimits.Number(l))));
            }
        }

        string[] files = ["blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"];
        foreach (var ((name, list), file) in BlockIOLimits.Throttles(b).Zip(files))
        {
            foreach (var t in list ?? [])
            {
                writes.Add(new(name, file, BlockIOLimits.Entry(t.Major, t.Minor, BlockIOLimits.Number(t.Rate))));
            }
        }

        return writes;
    }

    private static string Why(string file) => file switch
    {
        "blkio.bfq.weight" or "blkio.bfq.weight_device" => "weights need the CFQ or BFQ I/O scheduler with group scheduling",
        "blkio.leaf_weight" or "blkio.leaf_weight_device" => "leaf weights need the CFQ I/O scheduler, gone since Linux 5.0",
        _ => "throttling needs CONFIG_BLK_DEV_THROTTLING",
    };
}
