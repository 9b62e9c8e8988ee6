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
        var needed = Needed(resources);
        var result = new Dictionary<string, string>();
        var mounted = V1Hierarchies.Mounted();
        foreach (var (controllers, mountPoint) in mounted)
        {
            if (!controllers.Split(',').Any(c => Joined.Contains(c) || Needs(c, resources)))
            {
                continue;
            }

            string relative = CgroupPaths.Resolve(cgroupsPath, own.GetValueOrDefault(controllers, "/"), id);
            result[controllers] = mountPoint + relative;
        }

        // hugetlb and rdma: in their v1 hierarchy if the host mounts one, else in the cgroup2 mount of a hybrid host.
        var elsewhere = needed.Where(c => !mounted.Keys.Any(k => Has(k, c))).ToList();
        if (elsewhere.Count > 0)
        {
            string? absent = elsewhere.Except(HybridUnified.Controllers()).FirstOrDefault();
            if (absent is not null)
            {
                throw NoController(absent);
            }

            result[HybridUnified.Key] = HybridUnified.Root + CgroupPaths.Resolve(cgroupsPath, own.GetValueOrDefault(string.Empty, "/"), id);
        }

        return new V1Cgroup(result);
    }

    /// <summary>Whether limits ask for a hierarchy that a container joins only when they do.</summary>
    private static bool Needs(string controller, LinuxResources? r) => controller switch
    {
        "cpuset" => !string.IsNullOrEmpty(r?.Cpu?.Cpus) || !string.IsNullOrEmpty(r?.Cpu?.Mems),
        "blkio" => r?.BlockIO is not null,
        "devices" => r?.Devices is not null,
        "hugetlb" => r?.HugepageLimits is { Count: > 0 },
        "rdma" => r?.Rdma is { Count: > 0 },
        "net_cls" => r?.Network?.ClassId is not null,
        "net_prio" => r?.Network?.Priorities is { Count: > 0 },
        _ => false,
    };

    /// <summary>The controllers joined only for the limits given: hugetlb, rdma.</summary>
    private static List<string> Needed(LinuxResources? r)
    {
        var needed = new List<string>();
        if (r?.HugepageLimits is { Count: > 0 })
        {
            needed.Add("hugetlb");
        }

        if (r?.Rdma is { Count: > 0 })
        {
            needed.Add("rdma");
        }

        return needed;
    }

    private static string Section(string controller) => controller == "hugetlb" ? "hugepageLimits" : controller;

    private static RuntimeException NoController(string controller) =>
        new($"linux.resources.{Section(controller)}: this host has no {controller} cgroup controller (no v1 hierarchy, and not in {HybridUnified.Root})");

    public static V1Cgroup Open(IReadOnlyDictionary<string, string> dirs) => new(new Dictionary<string, string>(dirs));

    public void Create(LinuxResources? resources)
    {
        var made = new List<string>();
        var mounted = V1Hierarchies.Mounted();
        try
        {
            foreach (var (controllers, dir) in dirs)
            {
                string mount = controllers == HybridUnified.Key ? HybridUnified.Root : mounted[controllers];
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

        foreach (string controller in Needed(r).Where(c => !Reaches(c)))
        {
            if (!V1Hierarchies.Mounted().Keys.Any(k => Has(k, controller)) && !HybridUnified.Controllers().Contains(controller))
            {
                throw NoController(controller);
            }

            throw new RuntimeException($"linux.resources.{Section(controller)}: the container has no {controller} cgroup (on a cgroup v1 host it gets one only when created with these limits)");
        }

        foreach (var (controllers, dir) in dirs)
        {
            if (controllers == HybridUnified.Key)
            {
                ApplyUnified(dir, r);
            }
            else
            {
                ApplyHierarchy(controllers, dir, r);
            }
        }

        if (r.Unified is { Count: > 0 })
        {
            throw new RuntimeException("linux.resources.unified needs a cgroup v2 host");
        }
    }

    /// <summary>The limits that one v1 hierarchy's controllers hold, written in its directory.</summary>
    private static void ApplyHierarchy(string controllers, string dir, LinuxResources r)
    {
        if (r.HugepageLimits is { Count: > 0 } hugepages && Has(controllers, "hugetlb"))
        {
            HugetlbLimits.Apply(dir, hugepages, HugetlbLimits.V1Suffix);
        }

        if (r.Rdma is { Count: > 0 } rdma && Has(controllers, "rdma"))
        {
            RdmaLimits.Apply(dir, rdma);
        }

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

        if (r.Network is { } n)
        {
            NetworkLimits.Apply(controllers, dir, n);
        }

        // Plan and Join put a container with device rules in the devices hierarchy.
        if (r.Devices is { } d && Has(controllers, "devices"))
        {
            DevicesV1.Apply(dir, d);
        }
    }

    /// <summary>The limits of the controllers only the hybrid host's cgroup2 mount has, with its file names.</summary>
    private void ApplyUnified(string dir, LinuxResources r)
    {
        var wanted = Needed(r).Where(c => !dirs.Keys.Any(k => Has(k, c))).ToList();
        HybridUnified.Enable(dir, wanted);
        if (wanted.Contains("hugetlb"))
        {
            HugetlbLimits.Apply(dir, r.HugepageLimits!, HugetlbLimits.V2Suffix);
        }

        if (wanted.Contains("rdma"))
        {
            RdmaLimits.Apply(dir, r.Rdma!);
        }
    }

    private bool Reaches(string controller) =>
        dirs.Keys.Any(k => Has(k, controller)) || (dirs.ContainsKey(HybridUnified.Key) && HybridUnified.Controllers().Contains(controller));

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

    public CgroupStats Stats()
    {
        var s = StatsV1.Read(Find);
        s.Hugetlb = Find("hugetlb") is { } h ? HugetlbLimits.Stats(h, v2: false)
            : dirs.TryGetValue(HybridUnified.Key, out string? u) ? HugetlbLimits.Stats(u, v2: true) : [];
        return s;
    }

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
