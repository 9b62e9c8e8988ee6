using System.Globalization;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups.V1;

/// <summary>pids (the same file on v1 and v2): pids.max, "max" for no limit.</summary>
public static class PidsV1
{
    public static void Apply(string dir, LinuxPids p) =>
        CgroupFiles.Write(dir, "pids.max", p.Limit > 0 ? p.Limit.ToString(CultureInfo.InvariantCulture) : "max");
}
