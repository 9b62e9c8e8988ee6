using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups.Devices;

/// <summary>The device rules a container gets, as runc builds them: the spec's linux.resources.devices in order,
/// then the devices every container is given, then an allow for each node of linux.devices. A spec without
/// linux.resources.devices leaves the device cgroup alone (every device allowed, as the kernel starts it).</summary>
public static class DeviceRules
{
    /// <summary>What every container may use: mknod of any node (opening one is what the rules decide), and the
    /// nodes the runtime itself puts in /dev.</summary>
    public static readonly IReadOnlyList<DeviceRule> Defaults =
    [
        new(true, 'c', DeviceRule.Any, DeviceRule.Any, DeviceAccess.Mknod),
        new(true, 'b', DeviceRule.Any, DeviceRule.Any, DeviceAccess.Mknod),
        DeviceRule.AllowChar(1, 3), // null
        DeviceRule.AllowChar(1, 5), // zero
        DeviceRule.AllowChar(1, 7), // full
        DeviceRule.AllowChar(1, 8), // random
        DeviceRule.AllowChar(1, 9), // urandom
        DeviceRule.AllowChar(5, 0), // tty
        DeviceRule.AllowChar(5, 1), // console
        DeviceRule.AllowChar(5, 2), // ptmx
        DeviceRule.AllowChar(136, DeviceRule.Any), // pts
    ];

    /// <summary>One rule of the spec, checked; <paramref name="index"/> is for the message.</summary>
    public static DeviceRule Normalize(LinuxDeviceCgroup r, int index)
    {
        string where = $"linux.resources.devices[{index}]";
        char type = r.Type switch
        {
            null or "" or "a" => 'a',
            "b" => 'b',
            "c" => 'c',
            _ => throw new RuntimeException($"{where}.type '{r.Type}' is not a, b or c"),
        };

        if (r.Major is < 0 || r.Minor is < 0)
        {
            throw new RuntimeException($"{where}: major {r.Major} and minor {r.Minor} must not be negative (leave one out for any)");
        }

        if (r.Major is > int.MaxValue || r.Minor is > int.MaxValue)
        {
            throw new RuntimeException($"{where}: major {r.Major} or minor {r.Minor} is out of range");
        }

        var access = DeviceAccess.None;
        foreach (char ch in string.IsNullOrEmpty(r.Access) ? "rwm" : r.Access)
        {
            access |= ch switch
            {
                'r' => DeviceAccess.Read,
                'w' => DeviceAccess.Write,
                'm' => DeviceAccess.Mknod,
                _ => throw new RuntimeException($"{where}.access '{r.Access}' may hold only r, w and m"),
            };
        }

        return type == 'a'
            ? new DeviceRule(r.Allow, 'a', DeviceRule.Any, DeviceRule.Any, DeviceAccess.All)
            : new DeviceRule(r.Allow, type, r.Major ?? DeviceRule.Any, r.Minor ?? DeviceRule.Any, access);
    }

    /// <summary>Checks every rule, and that the rules with the defaults after them can be enforced.</summary>
    public static void Validate(List<LinuxDeviceCgroup> rules)
    {
        var list = DeviceAllowlist.AllowAll();
        foreach (var rule in Effective(rules, null)!)
        {
            list.Apply(rule);
        }
    }

    /// <summary>The rules to apply in order, or null when the spec has no device rules (nothing to apply).</summary>
    public static List<DeviceRule>? Effective(List<LinuxDeviceCgroup>? rules, IEnumerable<Device>? created)
    {
        if (rules is null)
        {
            return null;
        }

        var result = rules.Select(Normalize).ToList();
        result.AddRange(Defaults);
        foreach (var d in created ?? [])
        {
            char type = d.Type switch { "b" => 'b', "c" or "u" => 'c', _ => '\0' };
            if (type != '\0')
            {
                result.Add(new DeviceRule(true, type, d.Major, d.Minor, DeviceAccess.All));
            }
        }

        return result;
    }

    /// <summary>The resources with their device rules completed by <see cref="Effective"/> for the cgroup to
    /// apply (a copy: the spec keeps the rules as given); the same object when it has none.</summary>
    public static LinuxResources? WithDefaults(LinuxResources? r, IEnumerable<Device>? created)
    {
        if (Effective(r?.Devices, created) is not { } effective)
        {
            return r;
        }

        var copy = r!.ShallowCopy();
        copy.Devices = [.. effective.Select(e => new LinuxDeviceCgroup
        {
            Allow = e.Allow,
            Type = e.Type.ToString(),
            Major = e.Major == DeviceRule.Any ? null : e.Major,
            Minor = e.Minor == DeviceRule.Any ? null : e.Minor,
            Access = DeviceRule.AccessText(e.Access),
        })];
        return copy;
    }
}
