using MyRuntime.Linux;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups;

/// <summary>A container's cgroup as root of a user namespace (rootless): made where the cgroup tree is delegated
/// to us (writable), else the container runs without one, as runc and podman do on a cgroup v1 host, unless the
/// spec asks for limits, which cannot then be kept.</summary>
public static class RootlessCgroup
{
    /// <summary>Creates the planned cgroup; null (with a warning, and no parents to remove) when we are in a user
    /// namespace whose cgroup tree is not writable and no limit is asked for.</summary>
    public static ICgroup? CreateOrSkip(ICgroup planned, LinuxResources? applied, LinuxResources? asked, IRuntimeLog log, ref List<string> parents)
    {
        try
        {
            planned.Create(applied); // undoes itself when it fails: what it did not make is not ours to remove
            return planned;
        }
        catch (RuntimeException) when (!UserNamespaces.InInitial && !AsksLimits(asked) && !Writable(planned))
        {
            log.Warn("rootless: the cgroup tree is not delegated to this user: the container runs without a cgroup (no limits, no pause, no stats)");
            parents = [];
            return null;
        }
    }

    /// <summary>Limits other than the device allowlist (which a user namespace cannot widen anyway).</summary>
    private static bool AsksLimits(LinuxResources? r) => r is not null &&
        (r.Memory is not null || r.Cpu is not null || r.Pids is not null || r.BlockIO is not null || r.HugepageLimits is { Count: > 0 }
         || r.Rdma is { Count: > 0 } || r.Unified is { Count: > 0 } || r.Network is not null);

    /// <summary>Whether the nearest existing parent of each planned directory is writable by us.</summary>
    private static bool Writable(ICgroup planned)
    {
        foreach (string dir in planned.Dirs.Values)
        {
            string? d = dir;
            while (d is not null && !Directory.Exists(d))
            {
                d = Path.GetDirectoryName(d);
            }

            if (d is null || !Files.CanWrite(d))
            {
                return false;
            }
        }

        return true;
    }
}
