using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime.Cgroups.V1;

namespace MyRuntime.Runtime.Cgroups.V2;

/// <summary>A container's cgroup on a unified (v2) host: one directory, with the controllers it needs enabled in
/// cgroup.subtree_control of each ancestor below the runtime's own cgroup.</summary>
public sealed class V2Cgroup : ICgroup
{
    private readonly string dir;

    private V2Cgroup(string dir)
    {
        this.dir = dir;
    }

    public IReadOnlyDictionary<string, string> Dirs => new Dictionary<string, string> { [string.Empty] = dir };

    public static V2Cgroup Plan(string? cgroupsPath, string id)
    {
        string own = CgroupPaths.Own().GetValueOrDefault(string.Empty, "/");
        return new V2Cgroup(CgroupLayouts.Root + CgroupPaths.Resolve(cgroupsPath, own, id));
    }

    public static V2Cgroup Open(IReadOnlyDictionary<string, string> dirs) => new(dirs[string.Empty]);

    public void Create(LinuxResources? resources)
    {
        var made = new List<string>();
        try
        {
            made = CgroupFiles.MakeDirs(CgroupLayouts.Root, dir[CgroupLayouts.Root.Length..]);
            if (!made.Contains(dir))
            {
                CgroupFiles.EnsureUnused(dir);
            }

            EnableControllers();
            Apply(resources);
        }
        catch
        {
            foreach (string d in Enumerable.Reverse(made))
            {
                CgroupFiles.RemoveDir(d);
            }

            throw;
        }
    }

    /// <summary>Every ancestor passes its available controllers down, from the root to the container's parent.</summary>
    private void EnableControllers()
    {
        string parent = Path.GetDirectoryName(dir)!;
        var chain = new List<string>();
        for (string d = parent; d.Length >= CgroupLayouts.Root.Length; d = Path.GetDirectoryName(d)!)
        {
            chain.Insert(0, d);
            if (d == CgroupLayouts.Root)
            {
                break;
            }
        }

        foreach (string d in chain)
        {
            string available = CgroupFiles.Read(d, "cgroup.controllers");
            string enabled = CgroupFiles.Read(d, "cgroup.subtree_control");
            var missing = available.Split(' ', StringSplitOptions.RemoveEmptyEntries).Except(enabled.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
            if (missing.Count == 0)
            {
                continue;
            }

            try
            {
                CgroupFiles.Write(d, "cgroup.subtree_control", string.Join(' ', missing.Select(c => "+" + c)));
            }
            catch (RuntimeException) when (d != CgroupLayouts.Root && CgroupFiles.Procs(d).Count > 0)
            {
                throw new RuntimeException($"cgroup: cannot enable controllers below {d}: it holds processes (cgroup v2 allows no internal processes); give linux.cgroupsPath outside it");
            }
        }
    }

    public void Apply(LinuxResources? r)
    {
        if (r is null)
        {
            return;
        }

        if (r.Memory is { } m)
        {
            MemoryV2.Apply(dir, m);
        }

        if (r.Cpu is { } c)
        {
            CpuV2.Apply(dir, c);
        }

        if (r.Pids is { } p)
        {
            PidsV1.Apply(dir, p);
        }

        if (r.Devices is { } d)
        {
            DevicesV2.Apply(dir, d);
        }

        if (r.BlockIO is { } bio)
        {
            IoV2.Apply(dir, bio);
        }

        if (r.HugepageLimits is { Count: > 0 } hugepages)
        {
            RequireController("hugetlb", "hugepageLimits");
            HugetlbLimits.Apply(dir, hugepages, HugetlbLimits.V2Suffix);
        }

        if (r.Rdma is { Count: > 0 } rdma)
        {
            RequireController("rdma", "rdma");
            RdmaLimits.Apply(dir, rdma);
        }

        foreach (var (key, value) in r.Unified ?? [])
        {
            if (key.Contains('/') || key.StartsWith("cgroup.", StringComparison.Ordinal))
            {
                throw new RuntimeException($"linux.resources.unified: '{key}' is not a controller file");
            }

            CgroupFiles.Write(dir, key, value);
        }
    }

    /// <summary>One directory holds every controller: nothing to join later.</summary>
    public bool Join(LinuxResources changes, string? cgroupsPath, string id) => false;

    private void RequireController(string controller, string section)
    {
        if (!CgroupFiles.Read(dir, "cgroup.controllers").Split(' ').Contains(controller))
        {
            throw new RuntimeException($"linux.resources.{section}: the {controller} controller is not available in {dir}");
        }
    }

    public void Add(int pid) => CgroupFiles.Write(dir, "cgroup.procs", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public List<int> Pids() => CgroupFiles.Procs(dir);

    public void Freeze(bool frozen)
    {
        CgroupFiles.Write(dir, "cgroup.freeze", frozen ? "1" : "0");
        for (int i = 0; i < 500 && CgroupFiles.KeyedValue(dir, "cgroup.events", "frozen") != (frozen ? 1 : 0); i++)
        {
            Thread.Sleep(2);
        }
    }

    public void Signal(int signal)
    {
        if (signal == Linux.Signals.SIGKILL && File.Exists(Path.Combine(dir, "cgroup.kill")))
        {
            CgroupFiles.Write(dir, "cgroup.kill", "1"); // the kernel kills every process, forking or not, at once
            return;
        }

        CgroupSignal.Send(this, signal);
    }

    public bool IsFrozen() => CgroupFiles.KeyedValue(dir, "cgroup.events", "frozen") == 1;

    public long OomKills() => MemoryV2.OomKills(dir);

    public CgroupStats Stats()
    {
        var s = StatsV2.Read(dir);
        s.Hugetlb = HugetlbLimits.Stats(dir, v2: true);
        return s;
    }

    public void Destroy()
    {
        if (File.Exists(Path.Combine(dir, "cgroup.kill")))
        {
            try
            {
                CgroupFiles.Write(dir, "cgroup.kill", "1");
            }
            catch (RuntimeException)
            {
                // Already gone.
            }
        }

        CgroupFiles.RemoveDir(dir);
    }
}
