namespace MyRuntime.Runtime.Cgroups;

/// <summary>Which cgroup hierarchy the host runs, read once from /sys/fs/cgroup.</summary>
public enum CgroupLayout
{
    /// <summary>The unified hierarchy: /sys/fs/cgroup is cgroup2.</summary>
    V2,

    /// <summary>Legacy or hybrid: one v1 hierarchy per controller (a cgroup2 mount beside them holds none we use).</summary>
    V1,
}

public static class CgroupLayouts
{
    public const string Root = "/sys/fs/cgroup";

    public static CgroupLayout Detect() => File.Exists(Path.Combine(Root, "cgroup.controllers")) ? CgroupLayout.V2 : CgroupLayout.V1;
}
