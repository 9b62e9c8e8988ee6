using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups.Devices;

/// <summary>The state a list of device rules leaves a device cgroup in, with the kernel's (cgroup v1) rules:
/// a default (allow or deny every device) and exceptions to it, each a type, major:minor and access. A wildcard
/// rule ('a') sets the default and clears the exceptions; a rule against the default adds an exception; a rule
/// with the default's action takes access away from the exception of the same type and numbers. Both layouts
/// enforce this state, so that rules mean the same on v1 and v2.</summary>
public sealed class DeviceAllowlist
{
    private readonly Dictionary<(char Type, long Major, long Minor), DeviceAccess> exceptions = [];

    private DeviceAllowlist(bool defaultAllow)
    {
        DefaultAllow = defaultAllow;
    }

    /// <summary>A new cgroup's state: every device allowed.</summary>
    public static DeviceAllowlist AllowAll() => new(true);

    public static DeviceAllowlist DenyAll() => new(false);

    public bool DefaultAllow { get; private set; }

    /// <summary>The exceptions to the default (deny rules when it allows, allow rules when it denies), ordered.</summary>
    public IReadOnlyList<DeviceRule> Exceptions =>
        [.. exceptions.OrderBy(e => e.Key.Type).ThenBy(e => e.Key.Major).ThenBy(e => e.Key.Minor)
            .Select(e => new DeviceRule(!DefaultAllow, e.Key.Type, e.Key.Major, e.Key.Minor, e.Value))];

    /// <summary>The state of the spec rules (already completed with the defaults) applied to a new cgroup.</summary>
    public static DeviceAllowlist From(IEnumerable<LinuxDeviceCgroup> rules)
    {
        var list = AllowAll();
        int i = 0;
        foreach (var r in rules)
        {
            list.Apply(DeviceRules.Normalize(r, i++));
        }

        return list;
    }

    public void Apply(DeviceRule rule)
    {
        if (rule.Type == 'a')
        {
            DefaultAllow = rule.Allow;
            exceptions.Clear();
            return;
        }

        var key = (rule.Type, rule.Major, rule.Minor);
        if (rule.Allow != DefaultAllow)
        {
            exceptions[key] = exceptions.GetValueOrDefault(key) | rule.Access;
            return;
        }

        // v1 ignores taking access from a wider exception that merely covers this device ("c 1:3" out of
        // "c *:*"); say so rather than leave the device open or closed against the rule.
        foreach (var wider in new[] { (rule.Type, DeviceRule.Any, rule.Minor), (rule.Type, rule.Major, DeviceRule.Any), (rule.Type, DeviceRule.Any, DeviceRule.Any) })
        {
            if (wider != key && (exceptions.GetValueOrDefault(wider) & rule.Access) != 0)
            {
                var w = new DeviceRule(!DefaultAllow, wider.Item1, wider.Item2, wider.Item3, exceptions[wider]);
                throw new RuntimeException($"linux.resources.devices: '{rule}' cannot narrow the earlier '{w}' (a device cgroup does not cut holes in wildcard rules); start from a rule for all devices ({{\"allow\":false,\"access\":\"rwm\"}}) and allow what is needed");
            }
        }

        if (exceptions.TryGetValue(key, out var had))
        {
            var left = had & ~rule.Access;
            if (left == DeviceAccess.None)
            {
                exceptions.Remove(key);
            }
            else
            {
                exceptions[key] = left;
            }
        }
    }

    /// <summary>Whether a process may do <paramref name="access"/> on the device (as the kernel decides).</summary>
    public bool Allows(char type, long major, long minor, DeviceAccess access)
    {
        foreach (var ((t, ma, mi), a) in exceptions)
        {
            if (t != type || (ma != DeviceRule.Any && ma != major) || (mi != DeviceRule.Any && mi != minor))
            {
                continue;
            }

            // An allow exception must cover everything asked for; a deny exception refuses any part of it.
            if (DefaultAllow ? (a & access) != 0 : (access & ~a) == 0)
            {
                return !DefaultAllow;
            }
        }

        return DefaultAllow;
    }

    /// <summary>Whether both leave every device with the same access.</summary>
    public bool SameAs(DeviceAllowlist other) =>
        DefaultAllow == other.DefaultAllow && exceptions.Count == other.exceptions.Count
        && exceptions.All(e => other.exceptions.GetValueOrDefault(e.Key) == e.Value);

    /// <summary>Reads a v1 devices.list: "a *:* rwm" for allow-all (the kernel lists no exceptions then), else
    /// the allowed exceptions.</summary>
    public static DeviceAllowlist ParseList(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Any(l => l.StartsWith('a')))
        {
            return AllowAll();
        }

        var list = DenyAll();
        foreach (string line in lines)
        {
            string[] f = line.Split(' ');
            string[] n = f.Length == 3 ? f[1].Split(':') : [];
            if (n.Length != 2 || f[0] is not ("b" or "c"))
            {
                throw new RuntimeException($"cgroup: unexpected devices.list line '{line}'");
            }

            var access = (f[2].Contains('r') ? DeviceAccess.Read : 0) | (f[2].Contains('w') ? DeviceAccess.Write : 0) | (f[2].Contains('m') ? DeviceAccess.Mknod : 0);
            list.Apply(new DeviceRule(true, f[0][0], n[0] == "*" ? DeviceRule.Any : long.Parse(n[0], System.Globalization.CultureInfo.InvariantCulture), n[1] == "*" ? DeviceRule.Any : long.Parse(n[1], System.Globalization.CultureInfo.InvariantCulture), access));
        }

        return list;
    }
}
