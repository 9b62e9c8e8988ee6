using System.Globalization;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups;

/// <summary>linux.resources.blockIO on either layout: validation, merging on update, and the "MAJ:MIN VALUE"
/// device entries the kernel's files take.</summary>
public static class BlockIOLimits
{
    public const ushort MinWeight = 10;
    public const ushort MaxWeight = 1000;

    // Linux's dev_t: 12 bits of major, 20 of minor.
    private const long MaxMajor = (1L << 12) - 1;
    private const long MaxMinor = (1L << 20) - 1;

    /// <summary>One control file write: the spec field it comes from (for errors), the file and the value.</summary>
    public readonly record struct Write(string Field, string File, string Value);

    public static void Validate(LinuxBlockIO b)
    {
        CheckWeight("weight", b.Weight);
        CheckWeight("leafWeight", b.LeafWeight);
        foreach (var d in b.WeightDevice ?? [])
        {
            CheckDevice("weightDevice", d.Major, d.Minor);
            CheckWeight($"weightDevice[{d.Major}:{d.Minor}].weight", d.Weight);
            CheckWeight($"weightDevice[{d.Major}:{d.Minor}].leafWeight", d.LeafWeight);
            if (d.Weight is null && d.LeafWeight is null)
            {
                throw new RuntimeException($"linux.resources.blockIO.weightDevice {d.Major}:{d.Minor} gives neither weight nor leafWeight");
            }
        }

        foreach (var (name, list) in Throttles(b))
        {
            foreach (var t in list ?? [])
            {
                CheckDevice(name, t.Major, t.Minor);
            }
        }
    }

    /// <summary>The throttle lists by their spec names.</summary>
    public static IEnumerable<(string Name, List<LinuxThrottleDevice>? List)> Throttles(LinuxBlockIO b) =>
    [
        ("throttleReadBpsDevice", b.ThrottleReadBpsDevice),
        ("throttleWriteBpsDevice", b.ThrottleWriteBpsDevice),
        ("throttleReadIOPSDevice", b.ThrottleReadIOPSDevice),
        ("throttleWriteIOPSDevice", b.ThrottleWriteIOPSDevice),
    ];

    /// <summary>"8:16 1048576"</summary>
    public static string Entry(long major, long minor, string value) =>
        string.Create(CultureInfo.InvariantCulture, $"{major}:{minor} {value}");

    public static string Number(ulong n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>The limits after an update: weights the update gives replace the old ones; device entries replace
    /// the old entry of the same device in the same list, and the other devices keep theirs.</summary>
    public static LinuxBlockIO Merge(LinuxBlockIO? old, LinuxBlockIO changes)
    {
        var r = old ?? new LinuxBlockIO();
        r.Weight = changes.Weight ?? r.Weight;
        r.LeafWeight = changes.LeafWeight ?? r.LeafWeight;
        r.WeightDevice = MergeDevices(r.WeightDevice, changes.WeightDevice, d => (d.Major, d.Minor), (o, n) => new LinuxWeightDevice
        {
            Major = n.Major,
            Minor = n.Minor,
            Weight = n.Weight ?? o.Weight,
            LeafWeight = n.LeafWeight ?? o.LeafWeight,
        });
        r.ThrottleReadBpsDevice = MergeDevices(r.ThrottleReadBpsDevice, changes.ThrottleReadBpsDevice, t => (t.Major, t.Minor), (_, n) => n);
        r.ThrottleWriteBpsDevice = MergeDevices(r.ThrottleWriteBpsDevice, changes.ThrottleWriteBpsDevice, t => (t.Major, t.Minor), (_, n) => n);
        r.ThrottleReadIOPSDevice = MergeDevices(r.ThrottleReadIOPSDevice, changes.ThrottleReadIOPSDevice, t => (t.Major, t.Minor), (_, n) => n);
        r.ThrottleWriteIOPSDevice = MergeDevices(r.ThrottleWriteIOPSDevice, changes.ThrottleWriteIOPSDevice, t => (t.Major, t.Minor), (_, n) => n);
        return r;
    }

    private static List<T>? MergeDevices<T>(List<T>? old, List<T>? changes, Func<T, (long, long)> key, Func<T, T, T> combine)
    {
        if (changes is null)
        {
            return old;
        }

        var result = old is null ? [] : new List<T>(old);
        foreach (var n in changes)
        {
            int i = result.FindIndex(o => key(o) == key(n));
            if (i >= 0)
            {
                result[i] = combine(result[i], n);
            }
            else
            {
                result.Add(n);
            }
        }

        return result;
    }

    private static void CheckWeight(string field, ushort? weight)
    {
        if (weight is { } w && w is < MinWeight or > MaxWeight)
        {
            throw new RuntimeException($"linux.resources.blockIO.{field} {w} is out of range {MinWeight}..{MaxWeight}");
        }
    }

    private static void CheckDevice(string field, long major, long minor)
    {
        if (major is < 0 or > MaxMajor || minor is < 0 or > MaxMinor)
        {
            throw new RuntimeException($"linux.resources.blockIO.{field}: device {major}:{minor} is not a valid major:minor (0..{MaxMajor}:0..{MaxMinor})");
        }
    }
}
