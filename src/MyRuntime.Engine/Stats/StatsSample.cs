using MyRuntime.Runtime.Cgroups;

namespace MyRuntime.Engine.Stats;

/// <summary>Received and sent bytes over a container's interfaces (loopback excluded).</summary>
public readonly record struct NetworkCounters(ulong RxBytes, ulong TxBytes);

/// <summary>One reading of everything `stats` needs: the container's cgroup figures, the host's cpu time (ns),
/// online cpus and memory, and the container's network counters.</summary>
public sealed record StatsSample(CgroupStats Cgroup, ulong SystemCpuNs, int OnlineCpus, ulong HostMemTotal, NetworkCounters Network);
