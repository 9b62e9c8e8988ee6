using MyRuntime.Linux;
using MyRuntime.Linux.Netlink;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Container;

/// <summary>The loopback interface of a network namespace the runtime made, brought up as runc does: a container
/// with a network namespace of its own still talks to itself over 127.0.0.1.</summary>
public static class Loopback
{
    public static void BringUp(Spec spec, int pid, IRuntimeLog log)
    {
        if (spec.Linux?.Namespaces?.Any(n => n.Type == "network" && string.IsNullOrEmpty(n.Path)) != true)
        {
            return;
        }

        try
        {
            using var netlink = RouteNetlink.OpenIn($"/proc/{pid}/ns/net");
            if (netlink.LinkIndex("lo") is { } lo)
            {
                netlink.SetUp(lo);
            }
        }
        catch (LinuxException e) when (e.Errno is Errno.EPERM or Errno.EACCES)
        {
            log.Warn($"cannot bring up lo in the container's network namespace: {e.Message}");
        }
    }
}
