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

    /// <summary>For a terminal container without --console-socket: receive the pty master ourselves (foreground run).</summary>
    public bool AllocateConsole { get; init; }

    /// <summary>Descriptors for the container process's stdin, stdout and stderr; -1 keeps the caller's.</summary>
    public int Stdin { get; init; } = -1;

    public int Stdout { get; init; } = -1;

    public int Stderr { get; init; } = -1;
}
