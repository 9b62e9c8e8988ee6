namespace MyRuntime.Engine.Networking;

/// <summary>What --network asks for: none (only lo), host (the host's stack), container:NAME (another container's
/// stack), or a bridge network by name or id ("bridge", the default one, unless told otherwise).</summary>
public readonly record struct NetworkMode(string Value)
{
    public const string ContainerPrefix = "container:";

    public bool IsNone => Value == "none";

    public bool IsHost => Value == "host";

    public bool IsContainer => Value.StartsWith(ContainerPrefix, StringComparison.Ordinal);

    public bool IsBridge => !IsNone && !IsHost && !IsContainer;

    /// <summary>The other container of container:NAME.</summary>
    public string Container => Value[ContainerPrefix.Length..];

    /// <summary>Docker's spellings: empty and "default" are the default bridge network.</summary>
    public static NetworkMode Parse(string? value) => new(value is null or "" or "default" ? "bridge" : value);
}
