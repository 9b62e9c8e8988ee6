namespace MyRuntime.Linux.Spawn;

/// <summary>What a new process gets: its program, namespaces to create or join, identity and descriptors.</summary>
public sealed class SpawnOptions
{
    public required string Path { get; init; }

    public required IReadOnlyList<string> Args { get; init; }

    public IReadOnlyList<string> Env { get; init; } = [];

    /// <summary>CLONE_NEW* flags of namespaces to create. CLONE_NEWCGROUP is created only after the go signal,
    /// so that the parent can first place the process in its cgroup.</summary>
    public int NewNamespaces { get; init; }

    /// <summary>Existing namespaces to join: an open descriptor (CLOEXEC) and its CLONE_NEW* type, in join order.</summary>
    public IReadOnlyList<(int Fd, int Type)> Joins { get; init; } = [];

    /// <summary>The child's end of the sync socket; -1 for a plain spawn (errors then surface only as exit 127).
    /// <see cref="Spawner.Start"/> owns it: it is closed in the parent as soon as the child is cloned (and when the
    /// spawn fails before), so that the parent sees end-of-file when the child dies.</summary>
    public int SyncFd { get; init; } = -1;

    /// <summary>The parent's end of the same socket.</summary>
    public int ParentSyncFd { get; init; } = -1;

    /// <summary>Descriptors for the child's 0, 1, 2; -1 keeps the parent's.</summary>
    public int Stdin { get; init; } = -1;

    public int Stdout { get; init; } = -1;

    public int Stderr { get; init; } = -1;

    /// <summary>Descriptors that survive execve (their close-on-exec flag is cleared in the child).</summary>
    public IReadOnlyList<int> Inherit { get; init; } = [];

    /// <summary>Descriptors the child uses itself before execve; every descriptor not named anywhere in these
    /// options is closed in the child right after clone.</summary>
    public IReadOnlyList<int> KeepOpen { get; init; } = [];

    /// <summary>Operations the child runs after entering its namespaces and before the process settings.</summary>
    public SetupProgram? Setup { get; init; }

    /// <summary>The payload of the go frame, given the child's pid (the container state that hooks read).</summary>
    public Func<int, byte[]>? GoPayload { get; init; }

    /// <summary>Settings the child applies to itself before execve (no init stage then).</summary>
    public ProcessSettings? Process { get; init; }

    /// <summary>The child makes its own process group (setpgid(0, 0)) before execve, as an init's child does.</summary>
    public bool NewProcessGroup { get; init; }

    /// <summary>With <see cref="NewProcessGroup"/>: a terminal descriptor (in the child, after the stdio
    /// redirections) whose foreground process group the child's group becomes; -1 for none. A descriptor that is
    /// not a terminal is not an error.</summary>
    public int ForegroundTerminal { get; init; } = -1;

    /// <summary>Called with the child's pid before it is let go: uid/gid maps, its cgroup.</summary>
    public Action<int>? BeforeGo { get; init; }
}
