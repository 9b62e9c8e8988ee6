using MyRuntime.Linux;

namespace MyRuntime.Runtime.Container;

/// <summary>Refuses, before anything is made, a process whose capabilities the runtime cannot hand on: outside a new
/// user namespace a process keeps only what the runtime's own bounding set holds, so capset would fail later, after
/// start (runc fails create there too).</summary>
public static class CapabilityCheck
{
    /// <summary>Throws when the permitted, effective, inheritable or ambient set names a capability missing from
    /// <paramref name="bounding"/> (a missing one in the bounding list is harmless: it is simply not kept).</summary>
    public static void ThrowIfUngrantable(Oci.RuntimeSpec.LinuxCapabilities? caps, ulong bounding)
    {
        if (caps is null)
        {
            return;
        }

        foreach (var set in new[] { caps.Permitted, caps.Effective, caps.Inheritable, caps.Ambient })
        {
            foreach (string name in set ?? [])
            {
                int c = Capabilities.Parse(name);
                if (c is >= 0 and < 64 && (bounding & (1UL << c)) == 0)
                {
                    throw new RuntimeException($"capability {name} is not in the runtime's bounding set (the host took it away), so the process cannot have it");
                }
            }
        }
    }
}
