using MyRuntime.Linux;
using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime.Cgroups.Devices;

namespace MyRuntime.Runtime.Cgroups.V2;

/// <summary>The v2 device rules: a cgroup device eBPF program attached to the container's cgroup (with
/// BPF_F_ALLOW_MULTI, so that the programs of its ancestors still run too). A new program is attached before
/// the ones it replaces are detached, so that the cgroup is never without one.</summary>
public static class DevicesV2
{
    public static void Apply(string dir, IEnumerable<LinuxDeviceCgroup> rules)
    {
        var program = DeviceProgram.Compile(DeviceAllowlist.From(rules));
        int cgroupFd = -1, programFd = -1;
        try
        {
            cgroupFd = Files.Open(dir, Files.O_RDONLY | Files.O_DIRECTORY);
            var old = Bpf.Query(cgroupFd, Bpf.BPF_CGROUP_DEVICE, dir);
            programFd = Bpf.Load(Bpf.BPF_PROG_TYPE_CGROUP_DEVICE, [.. program], "Apache", "myruntime_dev");
            Bpf.Attach(cgroupFd, programFd, Bpf.BPF_CGROUP_DEVICE, Bpf.BPF_F_ALLOW_MULTI, dir);
            foreach (uint id in old)
            {
                int oldFd = Bpf.ProgramById(id);
                try
                {
                    Bpf.Detach(cgroupFd, oldFd, Bpf.BPF_CGROUP_DEVICE, dir);
                }
                finally
                {
                    Files.Close(oldFd);
                }
            }
        }
        catch (LinuxException e)
        {
            throw new RuntimeException($"cgroup: device rules: {e.Message}");
        }
        finally
        {
            Files.Close(programFd);
            Files.Close(cgroupFd);
        }
    }
}
