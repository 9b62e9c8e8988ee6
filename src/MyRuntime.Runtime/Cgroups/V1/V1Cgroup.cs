using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups.V1;

/// <summary>A container's cgroup on a v1/hybrid host: one directory in each controller hierarchy, each nested
/// under the runtime's own cgroup of that hierarchy unless cgroupsPath is absolute.</summary>
public sealed partial class V1Cgroup : ICgroup
{
    private readonly Dictionary<string, string> dirs;

    private V1Cgroup(Dictionary<string, string> dirs)
    {
        this.dirs = dirs;
    }

    public IReadOnlyDictionary<string, string> Dirs => dirs;

    // Hierarchies a container joins: what limits, freezes, lists and accounts for it. Others (blkio, devices,
    // net_cls, perf_event, ...) are joined once something of them is applied; cpuset only when cpus or mems are
    // set. Each hierarchy costs a mkdir, a write and an rmdir on every container's start path.
    private static readonly string[] Joined = ["cpu", "cpuacct", "memory", "pids", "freezer"];

    /// <summary>The cgroup a new container gets: its directory in each hierarchy it needs.</summary>
    public static V1Cgroup Plan(string? cgroupsPath, string id, LinuxResources? resources)
    {
        var own = CgroupPaths.Own();
        var result = new Dictionary<string, string>();
        foreach (var (controllers, mountPoint) in V1Hierarchies.Mounted())
        {
            if (!controllers.Split(',').Any(c => Joined.Contains(c) || Needs(c, resources)))
            {
                continue;
            }

            string relative = CgroupPaths.Resolve(cgroupsPath, own.GetValueOrDefault(controllers, "/"), id);
            result[controllers] = mountPoint + relative;
        }

        return new V1Cgroup(result);
    }

    /// <summary>Whether limits ask for a hierarchy that a container joins only when they do.</summary>
    private static bool Needs(string controller, LinuxResources? r) => controller switch
    {
        "cpuset" => !string.IsNullOrEmpty(r?.Cpu?.Cpus) || !string.IsNullOrEmpty(r?.Cpu?.Mems),
        "blkio" => r?.BlockIO is not null,
        "devices" => r?.Devices is not null,
        _ => false,
    };

    public static V1Cgroup Open(IReadOnlyDictionary<string, string> dirs) => new(new Dictionary<string, string>(dirs));

    public void Create(LinuxResources? resources)
    {
        var made = new List<string>();
        var mounted = V1Hierarchies.Mounted();
        try
        {
            foreach (var (controllers, dir) in dirs)
            {
                string mount = mounted[controllers];
                var created = CgroupFiles.MakeDirs(mount, dir[mount.Length..]);
                made.AddRange(created);
                if (!created.Contains(dir))
                {
                    CgroupFiles.EnsureUnused(dir);
                }

                if (Has(controllers, "cpuset"))
                {
                    CpusetV1.Initialize(created);
                }
            }

            Apply(resources);
        }
        catch
        {
            foreach (string dir in Enumerable.Reverse(made))
            {
                CgroupFiles.RemoveDir(dir);
            }

            throw;
        }
    }

    public void Apply(LinuxResources? r)
    {
        if (r is null)
        {
            return;
        }

        foreach (var (controllers, dir) in dirs)
        {
            if (r.Memory is { } m && Has(controllers, "memory"))
            {
                MemoryV1.Apply(dir, m);
            }

            if (r.Cpu is { } c && Has(controllers, "cpu"))
            {
                CpuV1.Apply(dir, c);
            }

            if (r.Cpu is { } cs && Has(controllers, "cpuset"))
            {
                CpusetV1.Apply(dir, cs);
            }

            if (r.Pids is { } p && Has(controllers, "pids"))
            {
                PidsV1.Apply(dir, p);
            }

            if (r.BlockIO is { } bio && Has(controllers, "blkio"))
            {
                BlkioV1.Apply(dir, bio);
            }

            // Plan and Join put a container with device rules in the devices hierarchy.
            if (r.Devices is { } d && Has(controllers, "devices"))
            {
                DevicesV1.Apply(dir, d);
            }
        }

        if (r.Unified is { Count: > 0 })
        {
            throw new RuntimeException("linux.resources.unified needs a cgroup v2 host");
        }
    }

    public void Add(int pid)
    {
        foreach (string dir in dirs.Values)
        {
            CgroupFiles.Write(dir, "cgroup.procs", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public List<int> Pids()
    {
        string? dir = Find("pids") ?? Find("freezer") ?? dirs.Values.FirstOrDefault();
        return dir is null ? [] : CgroupFiles.Procs(dir);
    }

    public void Freeze(bool frozen)
    {
        string dir = Find("freezer") ?? throw new RuntimeException("cgroup: no freezer hierarchy on this host");
        CgroupFiles.Write(dir, "freezer.state", frozen ? "FROZEN" : "THAWED");
        for (int i = 0; i < 500 && CgroupFiles.Read(dir, "freezer.state") != (frozen ? "FROZEN" : "THAWED"); i++)
        {
            Thread.Sleep(2);
        }
    }

    public void Signal(int signal) => CgroupSignal.Send(this, signal);

    public bool IsFrozen() => Find("freezer") is { } dir && CgroupFiles.Read(dir, "freezer.state") == "FROZEN";

    public CgroupStats Stats() => StatsV1.Read(Find);

    public long OomKills() => Find("memory") is { } dir ? MemoryV1.OomKills(dir) : 0;

    public void Destroy()
    {
        foreach (string dir in dirs.Values)
        {
            CgroupFiles.RemoveDir(dir);
        }
    }

    private string? Find(string controller) =>
        dirs.FirstOrDefault(d => Has(d.Key, controller)).Value;

    private static bool Has(string controllers, string controller) => controllers.Split(',').Contains(controller);
}
