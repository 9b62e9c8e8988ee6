using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Init;

/// <summary>What the runtime tells its init stage once the init runs inside the container's namespaces.</summary>
public sealed class InitBootstrap
{
    public string Id { get; set; } = string.Empty;

    public string Bundle { get; set; } = string.Empty;

    /// <summary>The container's config.</summary>
    public Spec? Spec { get; set; }

    /// <summary>The process to run.</summary>
    public Process Process { get; set; } = new();

    public string Rootfs { get; set; } = string.Empty;

    /// <summary>An O_PATH descriptor of the exec FIFO, inherited from the runtime.</summary>
    public int FifoFd { get; set; } = -1;

    public int ConsoleSocketFd { get; set; } = -1;

    /// <summary>Descriptors from 3 on that the process keeps (LISTEN_FDS and --preserve-fds).</summary>
    public int PreserveFds { get; set; }

    public bool NoPivot { get; set; }

    /// <summary>Whether the runtime wants the hooks round trip (prestart/createRuntime hooks exist).</summary>
    public bool RuntimeHooks { get; set; }

    /// <summary>True when the container has its own user namespace (device nodes are bind-mounted then).</summary>
    public bool UserNamespace { get; set; }
}

/// <summary>A message on the sync socket after bootstrap, in either direction.</summary>
public sealed class InitMessage
{
    public const string Hooks = "hooks";
    public const string HooksDone = "hooks-done";
    public const string Ready = "ready";
    public const string Error = "error";

    public string Type { get; set; } = string.Empty;

    public string? Message { get; set; }
}
