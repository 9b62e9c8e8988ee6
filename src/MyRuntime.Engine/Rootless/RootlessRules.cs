using MyRuntime.Engine.Containers;
using MyRuntime.Engine.Networking;
using MyRuntime.Linux;
using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime.Cgroups;

namespace MyRuntime.Engine.Rootless;

/// <summary>What an engine running as root of a user namespace (rootless) cannot do, decided at create.</summary>
public static class RootlessRules
{
    /// <summary>True inside a user namespace: host networking and the host's cgroup tree are not ours.</summary>
    public static bool Active => !UserNamespaces.InInitial;

    /// <summary>The network of a rootless container. Without --network it is none, with a notice (podman's users
    /// expect a bare `run` to work; its user-mode networks are not there, and the bridge needs root on the host):
    /// a bridge network asked for, or published ports, fail with one line.</summary>
    public static string Network(ContainerSettings settings, Action<string>? notice)
    {
        if (settings.Network.Length == 0)
        {
            if (settings.Ports.Count > 0)
            {
                throw new EngineException("rootless: publishing ports (-p, -P) needs a bridge network, which needs root");
            }

            notice?.Invoke("rootless: the container gets no network (--network none): bridge networks need root");
            return "none";
        }

        var mode = NetworkMode.Parse(settings.Network);
        if (mode.IsBridge)
        {
            throw new EngineException($"rootless: network {mode.Value} is a bridge, which needs root: use --network none or host");
        }

        return settings.Network;
    }

    /// <summary>Drops the limits of a rootless container where the cgroup tree is not delegated, with a warning, as
    /// podman does on cgroup v1 ("Resource limits are not supported and ignored on cgroups V1 rootless systems").</summary>
    public static void Resources(LinuxResources resources, Action<string> warn)
    {
        bool limits = resources.Memory is not null || resources.Cpu is not null || resources.Pids is not null;
        if (!limits || Delegated())
        {
            return;
        }

        warn(CgroupLayouts.Detect() == CgroupLayout.V1
            ? "rootless: resource limits are not supported and ignored on a cgroup v1 host"
            : "rootless: resource limits are ignored: the cgroup tree is not delegated to this user");
        resources.Memory = null;
        resources.Cpu = null;
        resources.Pids = null;
    }

    /// <summary>A cgroup v2 tree whose root we may write (delegated to the user namespace's owner).</summary>
    private static bool Delegated() => CgroupLayouts.Detect() == CgroupLayout.V2 && Files.CanWrite(CgroupLayouts.Root);
}
