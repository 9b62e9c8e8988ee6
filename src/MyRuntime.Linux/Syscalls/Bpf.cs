using System.Runtime.InteropServices;
using System.Text;

namespace MyRuntime.Linux;

/// <summary>bpf(2) for cgroup device programs: load, attach to a cgroup directory, list and detach what is
/// attached there.</summary>
public static unsafe class Bpf
{
    public const int BPF_PROG_TYPE_CGROUP_DEVICE = 15;
    public const int BPF_CGROUP_DEVICE = 6;
    public const int BPF_F_ALLOW_MULTI = 2;

    private const int BPF_PROG_LOAD = 5;
    private const int BPF_PROG_ATTACH = 8;
    private const int BPF_PROG_DETACH = 9;
    private const int BPF_PROG_GET_FD_BY_ID = 13;
    private const int BPF_PROG_QUERY = 16;

    // union bpf_attr is larger in newer kernels; an attr bigger than the kernel's is fine while its tail is zero.
    private const int AttrSize = 128;
    private const int LogSize = 1 << 18;

    /// <summary>Loads a program of the given type; returns its fd. On failure the verifier's log is in the error.</summary>
    public static int Load(int programType, ReadOnlySpan<BpfInstruction> program, string license, string name)
    {
        ulong[] words = new ulong[program.Length];
        for (int i = 0; i < words.Length; i++)
        {
            words[i] = program[i].Encode();
        }

        byte[] lic = Encoding.ASCII.GetBytes(license + "\0");
        int fd = TryLoad(programType, words, lic, name, null, out int errno);
        if (fd >= 0)
        {
            return fd;
        }

        // Again with the verifier's log, to say why.
        byte[] log = new byte[LogSize];
        _ = TryLoad(programType, words, lic, name, log, out _);
        int end = Array.IndexOf(log, (byte)0);
        string text = Encoding.UTF8.GetString(log, 0, end < 0 ? log.Length : end).Trim();
        text = string.Join("; ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (text.Length > 600)
        {
            text = "..." + text[^600..];
        }

        string message = $"bpf BPF_PROG_LOAD {name} ({program.Length} instructions): {Errno.Describe(errno)}";
        throw LinuxException.WithMessage(text.Length == 0 ? message : $"{message}: verifier: {text}", errno);
    }

    private static int TryLoad(int programType, ulong[] words, byte[] license, string name, byte[]? log, out int errno)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        fixed (ulong* insns = words)
        fixed (byte* lic = license)
        fixed (byte* logBuf = log)
        {
            *(uint*)(attr + 0) = (uint)programType;
            *(uint*)(attr + 4) = (uint)words.Length;
            *(ulong*)(attr + 8) = (ulong)insns;
            *(ulong*)(attr + 16) = (ulong)lic;
            if (log is not null)
            {
                *(uint*)(attr + 24) = 1; // log_level
                *(uint*)(attr + 28) = (uint)log.Length;
                *(ulong*)(attr + 32) = (ulong)logBuf;
            }

            byte[] n = Encoding.ASCII.GetBytes(name);
            for (int i = 0; i < Math.Min(n.Length, 15); i++)
            {
                attr[48 + i] = n[i]; // prog_name, NUL-terminated within 16 bytes
            }

            long fd = Syscall.Call(Syscall.SYS_bpf, BPF_PROG_LOAD, (long)attr, AttrSize, 0, 0);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            return (int)fd;
        }
    }

    /// <summary>Attaches a loaded program to the cgroup whose directory fd is given.</summary>
    public static void Attach(int cgroupFd, int programFd, int attachType, int flags, string cgroup)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        *(uint*)(attr + 0) = (uint)cgroupFd;
        *(uint*)(attr + 4) = (uint)programFd;
        *(uint*)(attr + 8) = (uint)attachType;
        *(uint*)(attr + 12) = (uint)flags;
        LinuxException.Check(Syscall.Call(Syscall.SYS_bpf, BPF_PROG_ATTACH, (long)attr, AttrSize, 0, 0), $"bpf BPF_PROG_ATTACH to {cgroup}");
    }

    /// <summary>Detaches one program (given by fd) of the attach type from the cgroup.</summary>
    public static void Detach(int cgroupFd, int programFd, int attachType, string cgroup)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        *(uint*)(attr + 0) = (uint)cgroupFd;
        *(uint*)(attr + 4) = (uint)programFd;
        *(uint*)(attr + 8) = (uint)attachType;
        LinuxException.Check(Syscall.Call(Syscall.SYS_bpf, BPF_PROG_DETACH, (long)attr, AttrSize, 0, 0), $"bpf BPF_PROG_DETACH from {cgroup}");
    }

    /// <summary>The ids of the programs of the attach type attached to this cgroup itself (not its ancestors).</summary>
    public static uint[] Query(int cgroupFd, int attachType, string cgroup)
    {
        uint[] ids = new uint[64];
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        fixed (uint* p = ids)
        {
            *(uint*)(attr + 0) = (uint)cgroupFd;
            *(uint*)(attr + 4) = (uint)attachType;
            *(ulong*)(attr + 16) = (ulong)p;
            *(uint*)(attr + 24) = (uint)ids.Length;
            LinuxException.Check(Syscall.Call(Syscall.SYS_bpf, BPF_PROG_QUERY, (long)attr, AttrSize, 0, 0), $"bpf BPF_PROG_QUERY of {cgroup}");
        }

        return ids[..(int)Math.Min(*(uint*)(attr + 24), (uint)ids.Length)];
    }

    /// <summary>A new fd for the loaded program with this id.</summary>
    public static int ProgramById(uint id)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        *(uint*)(attr + 0) = id;
        return (int)LinuxException.Check(Syscall.Call(Syscall.SYS_bpf, BPF_PROG_GET_FD_BY_ID, (long)attr, AttrSize, 0, 0), $"bpf BPF_PROG_GET_FD_BY_ID {id}");
    }
}
