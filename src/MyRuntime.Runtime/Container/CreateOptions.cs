namespace MyRuntime.Runtime.Container;

/// <summary>The create/run flags of the OCI CLI.</summary>
public sealed class CreateOptions
{
    public required string Id { get; init; }

    public required string Bundle { get; init; }

    public string? PidFile { get; init; }

    public string? ConsoleSocket { get; init; }

    public bool NoPivot { get; init; }

    public int PreserveFds { get; init; }
}
