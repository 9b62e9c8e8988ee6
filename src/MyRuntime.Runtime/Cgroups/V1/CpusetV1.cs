using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups.V1;

/// <summary>cpuset on v1: a new cpuset has no CPUs and no memory nodes, so it inherits its parent's before any
/// task can join; then the spec's cpus and mems.</summary>
public static class CpusetV1
{
    public static void Initialize(IEnumerable<string> madeDirs)
    {
        foreach (string dir in madeDirs)
        {
            string parent = Path.GetDirectoryName(dir)!;
            foreach (string file in new[] { "cpuset.cpus", "cpuset.mems" })
            {
                if (CgroupFiles.Read(dir, file).Length == 0)
                {
                    CgroupFiles.Write(dir, file, CgroupFiles.Read(parent, file));
                }
            }
        }
    }

    public static void Apply(string dir, LinuxCpu c)
    {
        if (!string.IsNullOrEmpty(c.Cpus))
        {
            CgroupFiles.Write(dir, "cpuset.cpus", c.Cpus);
        }

        if (!string.IsNullOrEmpty(c.Mems))
        {
            CgroupFiles.Write(dir, "cpuset.mems", c.Mems);
        }
    }
}
