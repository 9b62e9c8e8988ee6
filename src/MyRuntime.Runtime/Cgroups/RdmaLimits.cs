using System.Globalization;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups;

/// <summary>rdma, the same file on v1 and v2: one "DEVICE hca_handle=N hca_object=M" line per device in rdma.max.</summary>
public static class RdmaLimits
{
    public static void Validate(IReadOnlyDictionary<string, LinuxRdma> rdma)
    {
        foreach (var (device, limits) in rdma)
        {
            if (device.Length == 0 || device.Any(char.IsWhiteSpace))
            {
                throw new RuntimeException($"linux.resources.rdma: '{device}' is not a device name");
            }

            if (limits.HcaHandles is null && limits.HcaObjects is null)
            {
                throw new RuntimeException($"linux.resources.rdma.{device}: gives neither hcaHandles nor hcaObjects");
            }
        }
    }

    public static string Line(string device, LinuxRdma limits)
    {
        string line = device;
        if (limits.HcaHandles is { } handles)
        {
            line += " hca_handle=" + handles.ToString(CultureInfo.InvariantCulture);
        }

        if (limits.HcaObjects is { } objects)
        {
            line += " hca_object=" + objects.ToString(CultureInfo.InvariantCulture);
        }

        return line;
    }

    public static void Apply(string dir, IReadOnlyDictionary<string, LinuxRdma> rdma)
    {
        foreach (var (device, limits) in rdma)
        {
            try
            {
                CgroupFiles.Write(dir, "rdma.max", Line(device, limits));
            }
            catch (RuntimeException e)
            {
                throw new RuntimeException($"linux.resources.rdma: device '{device}': {e.Message}");
            }
        }
    }
}
