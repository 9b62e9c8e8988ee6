using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Container;

/// <summary>The exec flags of the OCI CLI, with the process already assembled.</summary>
public sealed class ExecOptions
{
    public required string Id { get; init; }

    public required Process Process { get; init; }

    public string? ConsoleSocket { get; init; }

    public string? PidFile { get; init; }

    public bool Detach { get; init; }

    public int PreserveFds { get; init; }

    /// <summary>Descriptors for the process's stdin, stdout and stderr; -1 keeps the caller's.</summary>
    public int Stdin { get; init; } = -1;

    public int Stdout { get; init; } = -1;

    public int Stderr { get; init; } = -1;
}
