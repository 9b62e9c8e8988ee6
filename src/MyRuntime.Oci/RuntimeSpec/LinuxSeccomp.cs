namespace MyRuntime.Oci.RuntimeSpec;

/// <summary>linux.seccomp: the system call filter of the container's processes.</summary>
public sealed class LinuxSeccomp
{
    public string DefaultAction { get; set; } = string.Empty;

    public uint? DefaultErrnoRet { get; set; }

    public List<string>? Architectures { get; set; }

    public List<string>? Flags { get; set; }

    public string? ListenerPath { get; set; }

    public string? ListenerMetadata { get; set; }

    public List<LinuxSyscall>? Syscalls { get; set; }
}

/// <summary>One rule: the action for the named system calls when every argument condition holds.</summary>
public sealed class LinuxSyscall
{
    public List<string> Names { get; set; } = [];

    public string Action { get; set; } = string.Empty;

    public uint? ErrnoRet { get; set; }

    public List<LinuxSeccompArg>? Args { get; set; }
}

/// <summary>A condition on argument Index (0..5) of a system call.</summary>
public sealed class LinuxSeccompArg
{
    public uint Index { get; set; }

    public ulong Value { get; set; }

    public ulong ValueTwo { get; set; }

    public string Op { get; set; } = string.Empty;
}
