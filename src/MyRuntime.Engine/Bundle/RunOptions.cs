namespace MyRuntime.Engine.Bundle;

/// <summary>The flags of Docker's <c>run</c>/<c>create</c> that shape a container's bundle, as given (strings
/// are parsed by <see cref="SpecBuilder"/>). Null means "not given".</summary>
public sealed record RunOptions
{
    /// <summary>The 64-hex container id (its first 12 characters are the default hostname).</summary>
    public string Id { get; init; } = string.Empty;

    public string? Name { get; init; }

    /// <summary>COMMAND [ARG...] after the image; null or empty keeps the image's Cmd.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>--entrypoint: replaces the image's Entrypoint and drops its Cmd; the empty string clears it.</summary>
    public string? Entrypoint { get; init; }

    /// <summary>-e/--env: KEY=VALUE, or KEY alone to take the host's value (dropped when the host has none).</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    /// <summary>The lines of the --env-file files, already read (blank and # lines are skipped); applied before -e.</summary>
    public IReadOnlyList<string> EnvFileLines { get; init; } = [];

    /// <summary>-w/--workdir.</summary>
    public string? WorkingDir { get; init; }

    /// <summary>-u/--user: user, uid, user:group or uid:gid.</summary>
    public string? User { get; init; }

    /// <summary>-h/--hostname.</summary>
    public string? Hostname { get; init; }

    /// <summary>-v/--volume: HOST:CTR[:ro|rw].</summary>
    public IReadOnlyList<string> Binds { get; init; } = [];

    /// <summary>--tmpfs: PATH[:OPTIONS].</summary>
    public IReadOnlyList<string> Tmpfs { get; init; } = [];

    public bool ReadOnly { get; init; }

    /// <summary>--memory (a size as <see cref="SizeParser"/> reads it).</summary>
    public string? Memory { get; init; }

    /// <summary>--memory-swap: a size, or -1 for unlimited swap.</summary>
    public string? MemorySwap { get; init; }

    /// <summary>--cpus, e.g. "1.5".</summary>
    public string? Cpus { get; init; }

    public ulong? CpuShares { get; init; }

    /// <summary>--pids-limit; 0 or negative is unlimited.</summary>
    public long? PidsLimit { get; init; }

    /// <summary>--device: HOST[:CTR[:rwm]].</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];

    /// <summary>--cap-add: names with or without CAP_, any case, or ALL.</summary>
    public IReadOnlyList<string> CapAdd { get; init; } = [];

    /// <summary>--cap-drop: names with or without CAP_, any case, or ALL.</summary>
    public IReadOnlyList<string> CapDrop { get; init; } = [];

    public bool Privileged { get; init; }

    /// <summary>--pid: "" for the container's own PID namespace, "host" for the host's.</summary>
    public string PidMode { get; init; } = "";

    /// <summary>--security-opt: seccomp=unconfined|PROFILE, no-new-privileges[=true|false], label=disable,
    /// apparmor=unconfined.</summary>
    public IReadOnlyList<string> SecurityOpt { get; init; } = [];

    /// <summary>-t/--tty.</summary>
    public bool Tty { get; init; }

    /// <summary>-i/--interactive.</summary>
    public bool StdinOpen { get; init; }
}
