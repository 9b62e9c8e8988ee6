namespace MyRuntime.Runtime.Cgroups;

/// <summary>Where a container's cgroup goes, relative to a hierarchy's root: linux.cgroupsPath as given when
/// absolute, under the runtime's own cgroup when relative, and own/myruntime-ID when not given.</summary>
public static class CgroupPaths
{
    public static string Resolve(string? cgroupsPath, string ownCgroup, string id)
    {
        string relative;
        if (string.IsNullOrEmpty(cgroupsPath))
        {
            relative = Join(ownCgroup, $"myruntime-{id}");
        }
        else if (cgroupsPath.Contains(':'))
        {
            throw new RuntimeException($"linux.cgroupsPath '{cgroupsPath}': systemd slice:prefix:name paths need --systemd-cgroup, which is not supported");
        }
        else
        {
            relative = cgroupsPath.StartsWith('/') ? cgroupsPath : Join(ownCgroup, cgroupsPath);
        }

        var parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Any(p => p is ".." or "."))
        {
            throw new RuntimeException($"linux.cgroupsPath '{cgroupsPath}' must name a cgroup below the root without '.' or '..'");
        }

        return "/" + string.Join('/', parts);
    }

    private static string Join(string a, string b) => a.TrimEnd('/') + "/" + b;

    /// <summary>The runtime's own cgroup per hierarchy, from /proc/self/cgroup: controller list → path.</summary>
    public static Dictionary<string, string> Own() => Of("self");

    /// <summary>A process's cgroup per hierarchy, from /proc/PID/cgroup ("self" for the runtime).</summary>
    public static Dictionary<string, string> Of(string pid)
    {
        var own = new Dictionary<string, string>();
        foreach (string line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            string[] f = line.Split(':', 3);
            if (f.Length == 3)
            {
                own[f[1]] = f[2];
            }
        }

        return own;
    }
}
