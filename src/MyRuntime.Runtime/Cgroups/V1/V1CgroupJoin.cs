using System.Globalization;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups.V1;

/// <summary>Joining a hierarchy late: an update that sets limits of a hierarchy the container did not join at create
/// (blkio, cpuset) makes its directory there, applies them and moves every process of the container in.</summary>
public sealed partial class V1Cgroup
{
    public bool Join(LinuxResources changes, string? cgroupsPath, string id)
    {
        bool joined = false;
        foreach (var (controllers, mount) in V1Hierarchies.Mounted())
        {
            if (dirs.ContainsKey(controllers) || !controllers.Split(',').Any(c => Needs(c, changes)))
            {
                continue;
            }

            var pids = Pids();
            if (pids.Count == 0)
            {
                throw new RuntimeException($"cgroup: container {id} has no processes to move into the {controllers} hierarchy");
            }

            // Where create would have put it: relative paths go below the cgroup the runtime was in then, which the
            // container's processes still are in, in a hierarchy that nothing moved them out of.
            string current = Current(pids, controllers);
            string relative = CgroupPaths.Resolve(cgroupsPath, current, id);
            string dir = mount + relative;
            var made = CgroupFiles.MakeDirs(mount, relative);
            try
            {
                if (Has(controllers, "cpuset"))
                {
                    CpusetV1.Initialize(made);
                }

                ApplyHierarchy(controllers, dir, changes);
                MoveIn(dir);
            }
            catch (RuntimeException)
            {
                MoveBack(dir, mount + current);
                foreach (string d in Enumerable.Reverse(made))
                {
                    CgroupFiles.RemoveDir(d);
                }

                throw;
            }

            dirs[controllers] = dir;
            joined = true;
        }

        return joined;
    }

    private static string Current(List<int> pids, string controllers)
    {
        foreach (int pid in pids)
        {
            try
            {
                if (CgroupPaths.Of(pid.ToString(CultureInfo.InvariantCulture)).TryGetValue(controllers, out string? path))
                {
                    return path;
                }
            }
            catch (IOException)
            {
                // Exited meanwhile: ask the next one.
            }
        }

        throw new RuntimeException($"cgroup: cannot tell which {controllers} cgroup the container's processes are in");
    }

    /// <summary>Moves the container's processes (those of its pids or freezer cgroup) into dir, again until none is
    /// left out: a process that forks while the others move may leave a child behind.</summary>
    private void MoveIn(string dir)
    {
        for (int round = 0; round < 50; round++)
        {
            var inside = CgroupFiles.Procs(dir).ToHashSet();
            var left = Pids().Where(p => !inside.Contains(p)).ToList();
            if (left.Count == 0)
            {
                return;
            }

            foreach (int pid in left)
            {
                try
                {
                    CgroupFiles.Write(dir, "cgroup.procs", pid.ToString(CultureInfo.InvariantCulture));
                }
                catch (RuntimeException) when (!Directory.Exists($"/proc/{pid}"))
                {
                    // Exited meanwhile.
                }
            }
        }

        throw new RuntimeException($"cgroup: the container's processes keep forking; could not move them all into {dir}");
    }

    private static void MoveBack(string dir, string previous)
    {
        foreach (int pid in CgroupFiles.Procs(dir))
        {
            try
            {
                CgroupFiles.Write(previous, "cgroup.procs", pid.ToString(CultureInfo.InvariantCulture));
            }
            catch (RuntimeException)
            {
                // Best effort on the way out of a failed update; the rmdir that follows reports what is left.
            }
        }
    }
}
