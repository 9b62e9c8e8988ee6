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
    public ProcessPlan* Process;
}

/// <summary>The final process settings the child applies itself before execve (used where no init stage can run,
/// such as exec into a container whose root holds no dynamic loader for this binary).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ProcessPlan
{
    public int ConsoleFd;
    public int RlimitCount;
    public int* RlimitResources;
    public ulong* RlimitValues;
    public byte* OomScoreAdj;
    public int ApplyCaps;
    public int LastCap;
    public ulong Bounding;
    public uint* CapData;
    public ulong Ambient;
    public uint Uid;
    public uint Gid;
    public int GroupCount;
    public uint* Groups;
    public int Umask;
    public byte* Cwd;
    public int NoNewPrivileges;
    public int CloseFrom;
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
    public const int StepConsole = 10;
    public const int StepRlimit = 11;
    public const int StepOomScoreAdj = 12;
    public const int StepCapabilities = 13;
    public const int StepIdentity = 14;
    public const int StepCwd = 15;
    public const int StepNoNewPrivileges = 16;

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
    private const long SYS_ioctl = 16;
    private const long SYS_sendmsg = 46;
    private const long SYS_setsid = 112;
    private const long SYS_fchown = 93;
    private const long SYS_umask = 95;
    private const long SYS_chdir = 80;
    private const long SYS_capset = 126;
    private const long SYS_prctl = 157;
    private const long SYS_prlimit64 = 302;
    private const long SYS_close_range = 436;

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

        if (p->Process != null)
        {
            ApplyProcess(p, p->Process);
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

    private static void ApplyProcess(ChildPlan* p, ProcessPlan* q)
    {
        if (q->ConsoleFd >= 0 && !Console(q))
        {
            Fail(p, StepConsole);
        }

        for (int i = 0; i < q->RlimitCount; i++)
        {
            if (Raw(SYS_prlimit64, 0, q->RlimitResources[i], (long)(q->RlimitValues + (2 * i)), 0, 0, 0) < 0)
            {
                Fail(p, StepRlimit);
            }
        }

        if (q->OomScoreAdj != null)
        {
            byte* path = stackalloc byte[] { (byte)'/', (byte)'p', (byte)'r', (byte)'o', (byte)'c', (byte)'/', (byte)'s', (byte)'e', (byte)'l', (byte)'f', (byte)'/', (byte)'o', (byte)'o', (byte)'m', (byte)'_', (byte)'s', (byte)'c', (byte)'o', (byte)'r', (byte)'e', (byte)'_', (byte)'a', (byte)'d', (byte)'j', 0 };
            long fd = Raw(SYS_open, (long)path, 1 /* O_WRONLY */ | O_CLOEXEC, 0, 0, 0, 0);
            int len = 0;
            while (q->OomScoreAdj[len] != 0)
            {
                len++;
            }

            if (fd < 0 || Raw(SYS_write, fd, (long)q->OomScoreAdj, len, 0, 0, 0) < 0)
            {
                Fail(p, StepOomScoreAdj);
            }

            Raw(SYS_close, fd, 0, 0, 0, 0, 0);
        }

        if (q->ApplyCaps != 0)
        {
            for (int c = 0; c <= q->LastCap; c++)
            {
                if ((q->Bounding & (1UL << c)) == 0 && Raw(SYS_prctl, 24 /* PR_CAPBSET_DROP */, c, 0, 0, 0, 0) < 0)
                {
                    Fail(p, StepCapabilities);
                }
            }
        }

        if (Raw(SYS_prctl, 8 /* PR_SET_KEEPCAPS */, 1, 0, 0, 0, 0) < 0
            || Raw(SYS_setgroups, q->GroupCount, (long)q->Groups, 0, 0, 0, 0) < 0 && q->GroupCount > 0
            || Raw(SYS_setresgid, q->Gid, q->Gid, q->Gid, 0, 0, 0) < 0
            || Raw(SYS_setresuid, q->Uid, q->Uid, q->Uid, 0, 0, 0) < 0
            || Raw(SYS_prctl, 8, 0, 0, 0, 0, 0) < 0)
        {
            Fail(p, StepIdentity);
        }

        if (q->ApplyCaps != 0)
        {
            uint* header = stackalloc uint[2];
            header[0] = 0x20080522;
            header[1] = 0;
            if (Raw(SYS_capset, (long)header, (long)q->CapData, 0, 0, 0, 0) < 0)
            {
                Fail(p, StepCapabilities);
            }

            for (int c = 0; c <= q->LastCap; c++)
            {
                if ((q->Ambient & (1UL << c)) != 0 && Raw(SYS_prctl, 47 /* PR_CAP_AMBIENT */, 2 /* RAISE */, c, 0, 0, 0) < 0)
                {
                    Fail(p, StepCapabilities);
                }
            }
        }

        if (q->Umask >= 0)
        {
            Raw(SYS_umask, q->Umask, 0, 0, 0, 0, 0);
        }

        if (q->Cwd != null && Raw(SYS_chdir, (long)q->Cwd, 0, 0, 0, 0, 0) < 0)
        {
            Fail(p, StepCwd);
        }

        if (q->NoNewPrivileges != 0 && Raw(SYS_prctl, 38 /* PR_SET_NO_NEW_PRIVS */, 1, 0, 0, 0, 0) < 0)
        {
            Fail(p, StepNoNewPrivileges);
        }

        if (q->CloseFrom > 0)
        {
            Raw(SYS_close_range, q->CloseFrom, uint.MaxValue, 4 /* CLOSE_RANGE_CLOEXEC */, 0, 0, 0);
        }
    }

    /// <summary>A pty from the container's /dev/pts: the master to the console socket, the slave as the
    /// controlling terminal and stdio.</summary>
    private static bool Console(ProcessPlan* q)
    {
        byte* ptmx = stackalloc byte[] { (byte)'/', (byte)'d', (byte)'e', (byte)'v', (byte)'/', (byte)'p', (byte)'t', (byte)'s', (byte)'/', (byte)'p', (byte)'t', (byte)'m', (byte)'x', 0 };
        long master = Raw(SYS_open, (long)ptmx, 2 /* O_RDWR */ | 0x100 /* O_NOCTTY */ | O_CLOEXEC, 0, 0, 0, 0);
        if (master < 0)
        {
            return false;
        }

        int* n = stackalloc int[1];
        *n = 0;
        if (Raw(SYS_ioctl, master, 0x40045431 /* TIOCSPTLCK */, (long)n, 0, 0, 0) < 0
            || Raw(SYS_ioctl, master, 0x80045430 /* TIOCGPTN */, (long)n, 0, 0, 0) < 0)
        {
            return false;
        }

        // "/dev/pts/" + decimal number
        byte* slave = stackalloc byte[32];
        for (int i = 0; i < 9; i++)
        {
            slave[i] = ptmx[i];
        }

        byte* digits = stackalloc byte[12];
        int count = 0, value = *n;
        do
        {
            digits[count++] = (byte)('0' + (value % 10));
            value /= 10;
        }
        while (value > 0);
        for (int i = 0; i < count; i++)
        {
            slave[9 + i] = digits[count - 1 - i];
        }

        slave[9 + count] = 0;

        // sendmsg with one SCM_RIGHTS descriptor and the text "/dev/ptmx".
        long* iov = stackalloc long[2];
        iov[0] = (long)ptmx;
        iov[1] = 13;
        byte* control = stackalloc byte[24];
        for (int i = 0; i < 24; i++)
        {
            control[i] = 0;
        }

        *(long*)control = 20;
        *(int*)(control + 8) = 1; // SOL_SOCKET
        *(int*)(control + 12) = 1; // SCM_RIGHTS
        *(int*)(control + 16) = (int)master;
        long* msg = stackalloc long[7];
        msg[0] = 0;
        msg[1] = 0;
        msg[2] = (long)iov;
        msg[3] = 1;
        msg[4] = (long)control;
        msg[5] = 24;
        msg[6] = 0;
        if (Raw(SYS_sendmsg, q->ConsoleFd, (long)msg, 0, 0, 0, 0) < 0)
        {
            return false;
        }

        Raw(SYS_close, master, 0, 0, 0, 0, 0);
        Raw(SYS_close, q->ConsoleFd, 0, 0, 0, 0, 0);
        long fd = Raw(SYS_open, (long)slave, 2 /* O_RDWR */, 0, 0, 0, 0);
        return fd >= 0
            && Raw(SYS_fchown, fd, q->Uid, q->Gid, 0, 0, 0) >= 0
            && Raw(SYS_setsid, 0, 0, 0, 0, 0, 0) >= 0
            && Raw(SYS_ioctl, fd, 0x540E /* TIOCSCTTY */, 0, 0, 0, 0) >= 0
            && Raw(SYS_dup3, fd, 0, 0, 0, 0, 0) >= 0
            && Raw(SYS_dup3, fd, 1, 0, 0, 0, 0) >= 0
            && Raw(SYS_dup3, fd, 2, 0, 0, 0, 0) >= 0
            && (fd <= 2 || Raw(SYS_close, fd, 0, 0, 0, 0, 0) >= 0);
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
