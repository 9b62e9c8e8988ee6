using System.Globalization;
using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime.Cgroups.V1;

namespace MyRuntime.Runtime.Cgroups;

/// <summary>linux.resources.network: net_cls.classid and net_prio.ifpriomap, controllers that only cgroup v1 has.</summary>
public static class NetworkLimits
{
    /// <summary>Refuses what this host cannot apply, before anything is made.</summary>
    public static void Validate(LinuxNetwork n)
    {
        bool classId = n.ClassId is not null, priorities = n.Priorities is { Count: > 0 };
        if (!classId && !priorities)
        {
            return;
        }

        if (CgroupLayouts.Detect() == CgroupLayout.V2)
        {
            throw new RuntimeException("linux.resources.network: cgroup v2 has no net_cls or net_prio controller");
        }

        var mounted = V1Hierarchies.Mounted().Keys.SelectMany(k => k.Split(',')).ToHashSet();
        if (classId && !mounted.Contains("net_cls"))
        {
            throw new RuntimeException("linux.resources.network.classID: this host has no net_cls cgroup hierarchy mounted");
        }

        if (priorities && !mounted.Contains("net_prio"))
        {
            throw new RuntimeException("linux.resources.network.priorities: this host has no net_prio cgroup hierarchy mounted");
        }

        foreach (var p in n.Priorities ?? [])
        {
            if (p is null || string.IsNullOrEmpty(p.Name) || p.Name.Any(char.IsWhiteSpace) || p.Name.Contains('/'))
            {
                throw new RuntimeException($"linux.resources.network.priorities: '{p?.Name}' is not an interface name");
            }
        }
    }

    /// <summary>Writes what the hierarchy (v1 controller list) holds: the class id, one ifpriomap line per interface.</summary>
    public static void Apply(string controllers, string dir, LinuxNetwork n)
    {
        var names = controllers.Split(',');
        if (n.ClassId is { } classId && names.Contains("net_cls"))
        {
            CgroupFiles.Write(dir, "net_cls.classid", classId.ToString(CultureInfo.InvariantCulture));
        }

        if (names.Contains("net_prio"))
        {
            foreach (var p in n.Priorities ?? [])
            {
                CgroupFiles.Write(dir, "net_prio.ifpriomap", $"{p.Name} {p.Priority.ToString(CultureInfo.InvariantCulture)}");
            }
        }
    }
}
