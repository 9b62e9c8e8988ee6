using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups.V2;

/// <summary>io on v2: the weight (BFQ's io.bfq.weight, 1..1000 like v1, where that exists; else io.weight,
/// 1..10000, converted the way runc does), per-device weights, and io.max ("MAJ:MIN rbps=.. wbps=.. riops=..
/// wiops=.."; a rate of 0, which removes a v1 limit, becomes "max"). v2 has no leaf weights.</summary>
public static class IoV2
{
    /// <summary>v1's 10..1000 onto io.weight's 1..10000, linearly: 10 → 1, 500 → 4950, 1000 → 10000.</summary>
    public static ulong ToIoWeight(ushort blkioWeight) =>
        1 + ((ulong)Math.Clamp(blkioWeight, BlockIOLimits.MinWeight, BlockIOLimits.MaxWeight) - BlockIOLimits.MinWeight) * 9999 / 990;

    public static void Apply(string dir, LinuxBlockIO b)
    {
        // io.bfq.weight reads "default 100" where it also takes "MAJ:MIN WEIGHT" lines (Linux 5.4 and later), and a
        // bare number before that.
        string bfq = CgroupFiles.Read(dir, "io.bfq.weight");
        bool hasBfq = File.Exists(Path.Combine(dir, "io.bfq.weight"));
        bool bfqPerDevice = hasBfq && !ulong.TryParse(bfq, out _);
        foreach (var w in Writes(b, hasBfq, bfqPerDevice))
        {
            if (!File.Exists(Path.Combine(dir, w.File)))
            {
                throw new RuntimeException($"linux.resources.blockIO.{w.Field}: this kernel has no {w.File} ({Why(w.File)})");
            }

            CgroupFiles.Write(dir, w.File, w.Value);
        }
    }

    /// <summary>The writes that apply <paramref name="b"/>, in order, on a cgroup with or without BFQ's weight file
    /// (and with or without its per-device form).</summary>
    public static List<BlockIOLimits.Write> Writes(LinuxBlockIO b, bool bfq, bool bfqPerDevice)
    {
        if (b.LeafWeight is not null || b.WeightDevice?.Any(d => d.LeafWeight is not null) == true)
        {
            throw new RuntimeException("linux.resources.blockIO.leafWeight: cgroup v2 has no leaf weights");
        }

        var writes = new List<BlockIOLimits.Write>();
        if (b.Weight is { } bw)
        {
            writes.Add(bfq ? new("weight", "io.bfq.weight", BlockIOLimits.Number(bw)) : new("weight", "io.weight", BlockIOLimits.Number(ToIoWeight(bw))));
        }

        foreach (var d in b.WeightDevice ?? [])
        {
            if (d.Weight is { } w)
            {
                writes.Add(bfqPerDevice
                    ? new("weightDevice", "io.bfq.weight", BlockIOLimits.Entry(d.Major, d.Minor, BlockIOLimits.Number(w)))
                    : new("weightDevice", "io.weight", BlockIOLimits.Entry(d.Major, d.Minor, BlockIOLimits.Number(ToIoWeight(w)))));
            }
        }

        // One io.max line per device with every key the spec gives for it.
        string[] keys = ["rbps", "wbps", "riops", "wiops"];
        var lines = new List<(long Major, long Minor, List<string> Keys, List<string> Fields)>();
        foreach (var ((name, list), key) in BlockIOLimits.Throttles(b).Zip(keys))
        {
            foreach (var t in list ?? [])
            {
                int i = lines.FindIndex(l => l.Major == t.Major && l.Minor == t.Minor);
                if (i < 0)
                {
                    lines.Add((t.Major, t.Minor, [], []));
                    i = lines.Count - 1;
                }

                lines[i].Keys.Add($"{key}={(t.Rate == 0 ? "max" : BlockIOLimits.Number(t.Rate))}");
                lines[i].Fields.Add(name);
            }
        }

        foreach (var (major, minor, k, fields) in lines)
        {
            writes.Add(new(string.Join('/', fields.Distinct()), "io.max", BlockIOLimits.Entry(major, minor, string.Join(' ', k))));
        }

        return writes;
    }

    private static string Why(string file) => file switch
    {
        "io.weight" => "weights need BFQ or the iocost controller",
        "io.bfq.weight" => "per-device weights need BFQ",
        _ => "throttling needs CONFIG_BLK_DEV_THROTTLING",
    };
}
