namespace MyRuntime.Runtime.Cgroups.V1;

/// <summary>The cgroup2 mount beside the v1 hierarchies of a hybrid host (/sys/fs/cgroup/unified). Controllers the
/// kernel bound to it rather than to a v1 hierarchy (typically hugetlb, sometimes rdma) are reachable only there, so
/// a container that needs one of them also gets a directory in it, kept under <see cref="Key"/> in its dirs.</summary>
public static class HybridUnified
{
    /// <summary>The key of the directory in a v1 container's dirs ("" stays the mark of a v2 host).</summary>
    public const string Key = "unified";

    public static readonly string Root = Path.Combine(CgroupLayouts.Root, "unified");

    /// <summary>The controllers bound to the cgroup2 mount; none when there is no such mount.</summary>
    public static string[] Controllers() =>
        File.Exists(Path.Combine(Root, "cgroup.controllers"))
            ? CgroupFiles.Read(Root, "cgroup.controllers").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            : [];

    /// <summary>Makes the controllers reach <paramref name="dir"/>: each ancestor from the mount's root down to its
    /// parent passes them on in cgroup.subtree_control where it does not yet. The root's own subtree_control is
    /// written only when it lacks one of them: no directory below the root can have the controller otherwise.</summary>
    public static void Enable(string dir, IReadOnlyCollection<string> controllers)
    {
        var chain = new List<string>();
        for (string d = Path.GetDirectoryName(dir)!; d.Length >= Root.Length; d = Path.GetDirectoryName(d)!)
        {
            chain.Insert(0, d);
            if (d == Root)
            {
                break;
            }
        }

        foreach (string d in chain)
        {
            var enabled = CgroupFiles.Read(d, "cgroup.subtree_control").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var missing = controllers.Except(enabled).ToList();
            if (missing.Count == 0)
            {
                continue;
            }

            try
            {
                CgroupFiles.Write(d, "cgroup.subtree_control", string.Join(' ', missing.Select(c => "+" + c)));
            }
            catch (RuntimeException) when (d != Root && CgroupFiles.Procs(d).Count > 0)
            {
                throw new RuntimeException($"cgroup: cannot enable {string.Join(", ", missing)} below {d}: it holds processes (cgroup v2 allows no internal processes); give linux.cgroupsPath outside it");
            }
        }
    }
}
