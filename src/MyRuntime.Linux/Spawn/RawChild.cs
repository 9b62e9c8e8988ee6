using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MyRuntime.Linux.Spawn;

/// <summary>
/// The plan a cloned child follows. It lives in unmanaged memory and holds only numbers and pointers,
/// because the child may touch nothing managed: it runs raw system calls and then execve(2).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ChildPlan
{
    public long CloneFlags;
    public int SyncFd;
    public int WaitGo;
    public int RequestMap;
    public int* JoinFds;
    public int* JoinTypes;
    public int JoinCount;
    public int UnshareUser;
    public int BecomeRoot;
    public int UnshareFlags;
    public int ProtectEarly;
    public int ProtectLate;
    public byte* ExePath;
    public long ExeMountFlags;
    public int SecondClone;
    public int Stdin;
    public int Stdout;
    public int Stderr;
    public int* InheritFds;
    public int InheritCount;
    public byte* ExecPath;
    public byte** Argv;
    public byte** Envp;
}

/// <summary>
/// clone(2) and everything the child does before execve(2). The child side runs only raw system calls
/// through <see cref="SuppressGCTransitionAttribute"/> imports: no allocation, no GC transition, no locks,
/// so it is safe in a copy of a multi-threaded process whose other threads do not exist.
/// </summary>
internal static unsafe class RawChild
{
    // Steps, reported with errno when the child fails.
    public const int StepWaitGo = 1;
    public const int StepJoin = 2;
    public const int StepUnshareUser = 3;
    public const int StepBecomeRoot = 4;
    public const int StepUnshare = 5;
    public const int StepProtectExe = 6;
    public const int StepSecondClone = 7;
    public const int StepStdio = 8;
    public const int StepExec = 9;

    public const byte FrameGo = (byte)'G';
    public const byte FrameMap = (byte)'M';
    public const byte FramePid = (byte)'P';
    public const byte FrameError = (byte)'E';

    private const long SYS_read = 0;
    private const long SYS_write = 1;
    private const long SYS_open = 2;
    private const long SYS_close = 3;
    private const long SYS_clone = 56;
    private const long SYS_execve = 59;
    private const long SYS_fcntl = 72;
    private const long SYS_setgroups = 116;
    private const long SYS_setresuid = 117;
    private const long SYS_setresgid = 119;
    private const long SYS_mount = 165;
    private const long SYS_exit_group = 231;
    private const long SYS_unshare = 272;
    private const long SYS_dup3 = 292;
    private const long SYS_setns = 308;
    private const long SYS_execveat = 322;

    private const long SIGCHLD = 17;
    private const long CLONE_PARENT = 0x00008000;
    private const long MS_RDONLY = 1;
    private const long MS_REMOUNT = 32;
    private const long MS_BIND = 4096;
    private const long MS_REC = 16384;
    private const long MS_SLAVE = 1 << 19;
    private const long O_PATH = 0x200000;
    private const long O_CLOEXEC = 0x80000;
    private const long AT_EMPTY_PATH = 0x1000;
    private const long EINTR = 4;

    [DllImport("libc", EntryPoint = "syscall")]
    [SuppressGCTransition]
    private static extern long Raw(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    [DllImport("libc", EntryPoint = "__errno_location")]
    [SuppressGCTransition]
    private static extern int* ErrnoLocation();

    /// <summary>Clones; in the parent returns the child's pid or -errno. The child never returns.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long Clone(ChildPlan* plan)
    {
        long pid = Raw(SYS_clone, plan->CloneFlags | SIGCHLD, 0, 0, 0, 0, 0);
        if (pid < 0)
        {
            return -*ErrnoLocation();
        }

        if (pid > 0)
        {
            return pid;
        }

        Child(plan);
        return 0; // not reached
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Child(ChildPlan* p)
    {
        byte* zero = stackalloc byte[1];
        zero[0] = 0;
        byte* empty = zero;
        int exeFd = -1;

        if (p->ProtectEarly != 0)
        {
            if (Raw(SYS_unshare, 0x00020000 /* CLONE_NEWNS */, 0, 0, 0, 0, 0) < 0 || !ProtectExe(p))
            {
                Fail(p, StepProtectExe);
            }

            exeFd = (int)Raw(SYS_open, (long)p->ExePath, O_PATH | O_CLOEXEC, 0, 0, 0, 0);
            if (exeFd < 0)
            {
                Fail(p, StepProtectExe);
            }
        }

        for (int i = 0; i < p->JoinCount; i++)
        {
            if (Raw(SYS_setns, p->JoinFds[i], p->JoinTypes[i], 0, 0, 0, 0) < 0)
            {
                Fail(p, StepJoin, p->JoinTypes[i]);
            }
        }

        if (p->UnshareUser != 0 && Raw(SYS_unshare, 0x10000000 /* CLONE_NEWUSER */, 0, 0, 0, 0, 0) < 0)
        {
            Fail(p, StepUnshareUser);
        }

        if (p->RequestMap != 0 && !WriteFrame(p->SyncFd, FrameMap, 0, 0, 0))
        {
            Fail(p, StepWaitGo);
        }

        if (p->WaitGo != 0 && !ReadGo(p->SyncFd))
        {
            Fail(p, StepWaitGo);
        }

        if (p->BecomeRoot != 0)
        {
            Raw(SYS_setgroups, 0, 0, 0, 0, 0, 0); // EPERM where setgroups is denied: harmless
            if (Raw(SYS_setresgid, 0, 0, 0, 0, 0, 0) < 0 || Raw(SYS_setresuid, 0, 0, 0, 0, 0, 0) < 0)
            {
                Fail(p, StepBecomeRoot);
            }
        }

        if (p->UnshareFlags != 0 && Raw(SYS_unshare, p->UnshareFlags, 0, 0, 0, 0, 0) < 0)
        {
            Fail(p, StepUnshare, p->UnshareFlags);
        }

        if (p->ProtectLate != 0 && !ProtectExe(p))
        {
            Fail(p, StepProtectExe);
        }

        if (p->SecondClone != 0)
        {
            long pid2 = Raw(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0, 0);
            if (pid2 < 0)
            {
                Fail(p, StepSecondClone);
            }

            if (pid2 > 0)
            {
                WriteFrame(p->SyncFd, FramePid, (int)pid2, 0, 4);
                Raw(SYS_exit_group, 0, 0, 0, 0, 0, 0);
            }
        }

        if (!Stdio(p->Stdin, 0) || !Stdio(p->Stdout, 1) || !Stdio(p->Stderr, 2))
        {
            Fail(p, StepStdio);
        }

        for (int i = 0; i < p->InheritCount; i++)
        {
            if (Raw(SYS_fcntl, p->InheritFds[i], 2 /* F_SETFD */, 0, 0, 0, 0) < 0)
            {
                Fail(p, StepStdio);
            }
        }

        if (exeFd >= 0)
        {
            Raw(SYS_execveat, exeFd, (long)empty, (long)p->Argv, (long)p->Envp, AT_EMPTY_PATH, 0);
        }
        else
        {
            Raw(SYS_execve, (long)p->ExecPath, (long)p->Argv, (long)p->Envp, 0, 0, 0);
        }

        Fail(p, StepExec);
    }

    /// <summary>Bind-mounts the runtime binary read-only over itself in this (private) mount namespace, so that
    /// nothing in the container can open /proc/PID/exe of the runtime for writing.</summary>
    private static bool ProtectExe(ChildPlan* p)
    {
        byte* root = stackalloc byte[2];
        root[0] = (byte)'/';
        root[1] = 0;
        return Raw(SYS_mount, 0, (long)root, 0, MS_REC | MS_SLAVE, 0, 0) >= 0
            && Raw(SYS_mount, (long)p->ExePath, (long)p->ExePath, 0, MS_BIND, 0, 0) >= 0
            && Raw(SYS_mount, 0, (long)p->ExePath, 0, MS_REMOUNT | MS_BIND | MS_RDONLY | p->ExeMountFlags, 0, 0) >= 0;
    }

    private static bool Stdio(int source, int target)
    {
        if (source < 0)
        {
            return true;
        }

        if (source == target)
        {
            return Raw(SYS_fcntl, target, 2 /* F_SETFD */, 0, 0, 0, 0) >= 0;
        }

        return Raw(SYS_dup3, source, target, 0, 0, 0, 0) >= 0;
    }

    private static bool ReadGo(int fd)
    {
        byte* frame = stackalloc byte[5];
        int got = 0;
        while (got < 5)
        {
            long n = Raw(SYS_read, fd, (long)(frame + got), 5 - got, 0, 0, 0);
            if (n < 0 && *ErrnoLocation() == EINTR)
            {
                continue;
            }

            if (n <= 0)
            {
                return false;
            }

            got += (int)n;
        }

        return frame[0] == FrameGo;
    }

    private static bool WriteFrame(int fd, byte type, int a, int b, int length)
    {
        if (fd < 0)
        {
            return true;
        }

        byte* frame = stackalloc byte[13];
        frame[0] = type;
        *(int*)(frame + 1) = length;
        *(int*)(frame + 5) = a;
        *(int*)(frame + 9) = b;
        return Raw(SYS_write, fd, (long)frame, 5 + length, 0, 0, 0) == 5 + length;
    }

    private static void Fail(ChildPlan* p, int step, int detail = 0)
    {
        int errno = *ErrnoLocation();
        WriteFrame(p->SyncFd, FrameError, errno, step | detail, 8); // namespace flags never touch the low 7 bits
        Raw(SYS_exit_group, 127, 0, 0, 0, 0, 0);
    }
}
