using System.Text.Json.Serialization;

namespace MyRuntime.Engine.Containers;

/// <summary>The lifecycle status of a container, as Docker names it.</summary>
public enum ContainerStatus
{
    [JsonStringEnumMemberName("created")]
    Created,

    [JsonStringEnumMemberName("running")]
    Running,

    [JsonStringEnumMemberName("paused")]
    Paused,

    [JsonStringEnumMemberName("exited")]
    Exited,
}

/// <summary>The state part of a container record: what the monitor and the reconciler keep up to date.</summary>
public sealed class ContainerState
{
    public ContainerStatus Status { get; set; } = ContainerStatus.Created;

    /// <summary>The container's init process on the host, 0 when not running.</summary>
    public int Pid { get; set; }

    public int ExitCode { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public bool OomKilled { get; set; }

    /// <summary>The container's monitor (our binary, one per started container) and its start time, 0 when none.</summary>
    public int MonitorPid { get; set; }

    public ulong MonitorStartTime { get; set; }

    /// <summary>The process making the container (`create`, `run`) and its start time while the record is not complete
    /// yet (no snapshot or bundle), 0 once it is. A record whose maker is gone before that was never made: it is not
    /// listed and the next create, ps or prune sweeps it (<see cref="CreatorProcess"/>).</summary>
    public int CreatorPid { get; set; }

    public ulong CreatorStartTime { get; set; }

    /// <summary>Why the last start failed, or why the container's end is not known exactly.</summary>
    public string? Error { get; set; }

    /// <summary>The running container's attachment to a bridge network, null when none.</summary>
    public NetworkAttachment? Network { get; set; }
}

/// <summary>What the network layer gave a running container: address, gateway, the host ports really published.</summary>
public sealed class NetworkAttachment
{
    public string NetworkName { get; set; } = "";

    public string NetworkId { get; set; } = "";

    public string IPAddress { get; set; } = "";

    public int PrefixLength { get; set; }

    public string Gateway { get; set; } = "";

    public List<PortMapping> Ports { get; set; } = [];
}

/// <summary>A published port: HOSTIP:HOSTPORT on the host forwarded to the container's PORT/PROTOCOL.</summary>
public sealed class PortMapping
{
    public string HostIp { get; set; } = "0.0.0.0";

    public int HostPort { get; set; }

    public int ContainerPort { get; set; }

    /// <summary>tcp or udp.</summary>
    public string Protocol { get; set; } = "tcp";

    /// <summary>Docker's form: <c>80/tcp -> 0.0.0.0:8080</c>.</summary>
    public override string ToString() => $"{ContainerPort}/{Protocol} -> {HostIp}:{HostPort}";
}

/// <summary>The engine-level settings of a container (the flags that are not part of its OCI bundle).</summary>
public sealed class ContainerSettings
{
    /// <summary>--rm: removed by its monitor once it exits.</summary>
    public bool AutoRemove { get; set; }

    /// <summary>--init: our minimal init runs as PID 1.</summary>
    public bool Init { get; set; }

    public bool Tty { get; set; }

    public bool OpenStdin { get; set; }

    /// <summary>The signal stop sends first (the image's StopSignal or --stop-signal), as a name or number.</summary>
    public string? StopSignal { get; set; }

    /// <summary>Seconds stop waits before SIGKILL (--stop-timeout; 10 by default).</summary>
    public int StopTimeout { get; set; } = 10;

    /// <summary>--network: bridge (the default network), none, host, container:NAME|ID, or a network's name or id.</summary>
    public string Network { get; set; } = "bridge";

    /// <summary>--dns, --dns-search, --dns-option: what /etc/resolv.conf holds instead of the host's.</summary>
    public List<string> Dns { get; set; } = [];

    public List<string> DnsSearch { get; set; } = [];

    public List<string> DnsOptions { get; set; } = [];

    /// <summary>--add-host HOST:IP entries of /etc/hosts.</summary>
    public List<string> ExtraHosts { get; set; } = [];

    /// <summary>The log file's size cap in bytes (0: none) and how many files rotation keeps.</summary>
    public long LogMaxSize { get; set; }

    public int LogMaxFiles { get; set; } = 1;

    /// <summary>The ports asked to be published (-p, and -P's exposed ports with host port 0); what was really
    /// published while running is in <see cref="ContainerState.Network"/>.</summary>
    public List<PortMapping> Ports { get; set; } = [];
}

/// <summary>One container of the engine, as kept in ROOT/containers/ID/container.json.</summary>
public sealed class ContainerRecord
{
    /// <summary>64 lowercase hex digits.</summary>
    public string Id { get; set; } = "";

    /// <summary>The name without Docker's leading slash.</summary>
    public string Name { get; set; } = "";

    /// <summary>The image reference as the user gave it (e.g. busybox:latest).</summary>
    public string Image { get; set; } = "";

    /// <summary>The image id (sha256:...).</summary>
    public string ImageId { get; set; } = "";

    public DateTimeOffset Created { get; set; }

    public string SnapshotId { get; set; } = "";

    public string BundleDir { get; set; } = "";

    /// <summary>The root directory of the runtime core's state for this container.</summary>
    public string StateRoot { get; set; } = "";

    public List<string> Command { get; set; } = [];

    public Dictionary<string, string> Labels { get; set; } = [];

    public ContainerState State { get; set; } = new();

    public ContainerSettings Settings { get; set; } = new();

    /// <summary>The run/create flags as given (what inspect reports and restart reuses).</summary>
    public MyRuntime.Engine.Bundle.RunOptions Options { get; set; } = new();

    /// <summary>A new container id: 32 random bytes as 64 lowercase hex digits.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomBytes.Get(32));

    /// <summary>True for 64 lowercase hex digits.</summary>
    public static bool IsValidId(string id) =>
        id.Length == 64 && id.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
