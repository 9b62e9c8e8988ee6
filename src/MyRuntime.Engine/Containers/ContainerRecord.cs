using System.Security.Cryptography;
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

    /// <summary>A new container id: 32 random bytes as 64 lowercase hex digits.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>True for 64 lowercase hex digits.</summary>
    public static bool IsValidId(string id) =>
        id.Length == 64 && id.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
