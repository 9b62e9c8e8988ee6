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
    public int SecondClone;
    public int WaitGoAfterClone;
    public int Stdin;
    public int Stdout;
    public int Stderr;
    public int* InheritFds;
    public int InheritCount;
    public byte* ExecPath;
    public byte** Argv;
    public byte** Envp;
    public ProcessPlan* Process;
    public SetupOp* Ops;
    public int OpCount;
    public int* CloseRanges;
    public int CloseRangeCount;
    public byte** StepTexts;
    public int CurrentOp;
    public int EarlyDone;
    public byte* StateBuffer;
    public int StateCapacity;
    public int StateLength;
    public int SlaveFd;
}

/// <summary>The final process settings the child applies itself before execve (used where no init stage can run,
/// such as exec into a container whose root holds no dynamic loader for this binary).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ProcessPlan
{
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
    public const int StepSecondClone = 7;
    public const int StepStdio = 8;
    public const int StepExec = 9;
    public const int StepRlimit = 11;
    public const int StepOomScoreAdj = 12;
    public const int StepCapabilities = 13;
    public const int StepIdentity = 14;
    public const int StepCwd = 15;
    public const int StepNoNewPrivileges = 16;
    public const int StepSetup = 17;
    public const int StepHookStatus = 18;
    public const int StepSignals = 19;

    public const byte FrameGo = SyncFrames.Go;
    public const byte FrameMap = SyncFrames.Map;
    public const byte FramePid = SyncFrames.Pid;
    public const byte FrameError = SyncFrames.Error;
    public const byte FrameHooks = SyncFrames.Hooks;
    public const byte FrameReady = SyncFrames.Ready;

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
    private const long SYS_rt_sigaction = 13;
    private const long SYS_rt_sigprocmask = 14;
    private const long SYS_poll = 7;
    private const long SYS_pipe2 = 293;
    private const long SYS_wait4 = 61;
    private const long SYS_kill = 62;
    private const long SYS_mkdir = 83;
    private const long SYS_unlink = 87;
    private const long SYS_symlink = 88;
    private const long SYS_lchown = 94;
    private const long SYS_mknod = 133;
    private const long SYS_statfs = 137;
    private const long SYS_chroot = 161;
    private const long SYS_pivot_root = 155;
    private const long SYS_umount2 = 166;
    private const long SYS_sethostname = 170;
    private const long SYS_setdomainname = 171;
    private const long SYS_newfstatat = 262;
    private const long SYS_pidfd_open = 434;
    private const long EEXIST = 17;
    private const long ENOENT = 2;
    private const long EPERM = 1;
    private const long ETIMEDOUT = 110;

    private const long SIGCHLD = 17;
    private const long CLONE_PARENT = 0x00008000;
    private const long MS_RDONLY = 1;
    private const long MS_REMOUNT = 32;
    private const long MS_BIND = 4096;
    private const long MS_REC = 16384;
    private const long MS_SLAVE = 1 << 19;
    private const long O_CLOEXEC = 0x80000;
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
        // Nothing in the container may read this process (a copy of the runtime) through /proc while it runs.
        Raw(SYS_prctl, 4 /* PR_SET_DUMPABLE */, 0, 0, 0, 0, 0);
        ResetSignals(p);

        // Drop every descriptor of the runtime the child has no use for (locks, logs, the runtime's own files),
        // so none is held while the container waits or runs.
        for (int i = 0; i < p->CloseRangeCount; i++)
        {
            Raw(SYS_close_range, p->CloseRanges[2 * i], (uint)p->CloseRanges[(2 * i) + 1], 0, 0, 0, 0);
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

        if (p->WaitGo != 0 && !ReadGo(p))
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

            if (p->WaitGoAfterClone != 0 && !ReadGo(p))
            {
                Fail(p, StepWaitGo);
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

        if (p->OpCount > 0)
        {
            Raw(SYS_umask, 0, 0, 0, 0, 0, 0); // modes are given exactly; the process's umask is set before execve
        }

        for (int i = 0; i < p->OpCount; i++)
        {
            i = RunOp(p, i);
        }

        p->CurrentOp = -1;
        if (p->Process != null)
        {
            if (p->EarlyDone == 0)
            {
                ApplyProcessEarly(p, p->Process);
            }

            ApplyProcess(p, p->Process);
        }

        Raw(SYS_execve, (long)p->ExecPath, (long)p->Argv, (long)p->Envp, 0, 0, 0);
        Fail(p, StepExec);
    }

    /// <summary>Runs op i; returns the index of the last op it consumed (a fallback pair counts as two).</summary>
    private static int RunOp(ChildPlan* p, int i)
    {
        SetupOp* op = p->Ops + i;
        p->CurrentOp = i;
        long r = 0;
        switch ((SetupOpCode)op->Code)
        {
            case SetupOpCode.Mount:
                r = Raw(SYS_mount, (long)op->S1, (long)op->S2, (long)op->S3, op->A, (long)op->S4, 0);
                break;
            case SetupOpCode.Mkdir:
                r = Raw(SYS_mkdir, (long)op->S1, op->A, 0, 0, 0, 0);
                r = r < 0 && *ErrnoLocation() == EEXIST ? 0 : r;
                break;
            case SetupOpCode.CreateFile:
                r = Raw(SYS_mknod, (long)op->S1, 0x8000 /* S_IFREG */ | 0x1a4, 0, 0, 0, 0);
                r = r < 0 && *ErrnoLocation() == EEXIST ? 0 : r;
                break;
            case SetupOpCode.Mknod:
                Raw(SYS_unlink, (long)op->S1, 0, 0, 0, 0, 0);
                r = Raw(SYS_mknod, (long)op->S1, op->A, op->B, 0, 0, 0);
                if (r >= 0)
                {
                    r = Raw(SYS_lchown, (long)op->S1, op->C & 0xffffffff, (op->C >> 32) & 0xffffffff, 0, 0, 0);
                }

                break;
            case SetupOpCode.Symlink:
                r = Raw(SYS_symlink, (long)op->S1, (long)op->S2, 0, 0, 0, 0);
                if (r < 0 && *ErrnoLocation() == EEXIST)
                {
                    r = op->A != 0 && Raw(SYS_unlink, (long)op->S2, 0, 0, 0, 0, 0) >= 0
                        ? Raw(SYS_symlink, (long)op->S1, (long)op->S2, 0, 0, 0, 0)
                        : 0;
                }

                break;
            case SetupOpCode.Chdir:
                r = Raw(SYS_chdir, (long)op->S1, 0, 0, 0, 0, 0);
                break;
            case SetupOpCode.PivotRoot:
                r = Raw(SYS_pivot_root, (long)op->S1, (long)op->S2, 0, 0, 0, 0);
                break;
            case SetupOpCode.Unmount:
                r = Raw(SYS_umount2, (long)op->S1, op->A, 0, 0, 0, 0);
                break;
            case SetupOpCode.Chroot:
                r = Raw(SYS_chroot, (long)op->S1, 0, 0, 0, 0, 0);
                break;
            case SetupOpCode.SetHostname:
                r = Raw(SYS_sethostname, (long)op->S1, op->A, 0, 0, 0, 0);
                break;
            case SetupOpCode.SetDomainname:
                r = Raw(SYS_setdomainname, (long)op->S1, op->A, 0, 0, 0, 0);
                break;
            case SetupOpCode.WriteFile:
                r = Raw(SYS_open, (long)op->S1, 1 /* O_WRONLY */ | O_CLOEXEC, 0, 0, 0, 0);
                if (r >= 0)
                {
                    long fd = r;
                    r = Raw(SYS_write, fd, (long)op->S2, op->A, 0, 0, 0);
                    Raw(SYS_close, fd, 0, 0, 0, 0, 0);
                }

                break;
            case SetupOpCode.Mask:
                r = Mask(op);
                break;
            case SetupOpCode.ReadonlyBind:
                r = ReadonlyBind(op);
                break;
            case SetupOpCode.RemountKeepingLocked:
                r = Raw(SYS_mount, 0, (long)op->S1, 0, MS_REMOUNT | MS_BIND | op->A | (MountFlagsOf(op->S1) & op->B), 0, 0);
                break;
            case SetupOpCode.Console:
                r = ConsoleOp(p, op);
                break;
            case SetupOpCode.SyncHooks:
                if (!WriteFrame(p->SyncFd, FrameHooks, 0, 0, 0) || !ReadGo(p))
                {
                    Raw(SYS_exit_group, 1, 0, 0, 0, 0, 0); // the runtime has the hook's error
                }

                break;
            case SetupOpCode.RunHook:
                RunHook(p, op, i);
                break;
            case SetupOpCode.Ready:
                if (!WriteFrame(p->SyncFd, FrameReady, 0, 0, 0))
                {
                    Raw(SYS_exit_group, 1, 0, 0, 0, 0, 0);
                }

                Raw(SYS_close, p->SyncFd, 0, 0, 0, 0, 0);
                p->SyncFd = -1;
                break;
            case SetupOpCode.WaitStart:
                r = Raw(SYS_open, (long)op->S1, 1 /* O_WRONLY */ | O_CLOEXEC, 0, 0, 0, 0);
                if (r >= 0)
                {
                    long fd = r;
                    byte* zero = stackalloc byte[1];
                    zero[0] = (byte)'0';
                    r = Raw(SYS_write, fd, (long)zero, 1, 0, 0, 0);
                    Raw(SYS_close, fd, 0, 0, 0, 0, 0);
                    Raw(SYS_close, op->A, 0, 0, 0, 0, 0);
                }

                break;
            case SetupOpCode.ApplyProcessEarly:
                if (p->Process != null)
                {
                    ApplyProcessEarly(p, p->Process);
                    p->EarlyDone = 1;
                }

                break;
            case SetupOpCode.AttachConsole:
                if (p->SlaveFd >= 0)
                {
                    long fd = p->SlaveFd;
                    r = Raw(SYS_setsid, 0, 0, 0, 0, 0, 0) >= 0
                        && Raw(SYS_ioctl, fd, 0x540E /* TIOCSCTTY */, 0, 0, 0, 0) >= 0
                        && Raw(SYS_dup3, fd, 0, 0, 0, 0, 0) >= 0
                        && Raw(SYS_dup3, fd, 1, 0, 0, 0, 0) >= 0
                        && Raw(SYS_dup3, fd, 2, 0, 0, 0, 0) >= 0 ? 0 : -1;
                    if (fd > 2)
                    {
                        Raw(SYS_close, fd, 0, 0, 0, 0, 0);
                    }
                }

                break;
        }

        bool failed = r < 0;
        if ((op->Flags & SetupProgram.FlagFallbackOnEperm) != 0)
        {
            if (!failed)
            {
                return i + 1; // skip the fallback
            }

            if (*ErrnoLocation() == EPERM)
            {
                return i; // the next op is the fallback
            }
        }

        if (failed && (op->Flags & SetupProgram.FlagOptional) == 0)
        {
            Fail(p, StepSetup, i << 8);
        }

        return i;
    }

    /// <summary>MS_* flags of the mount holding path that a remount inside a user namespace must keep.</summary>
    private static long MountFlagsOf(byte* path)
    {
        long* st = stackalloc long[15];
        if (Raw(SYS_statfs, (long)path, (long)st, 0, 0, 0, 0) < 0)
        {
            return 0;
        }

        long f = st[10]; // f_flags: ST_* values; ST_RELATIME (4096) differs from MS_RELATIME
        long flags = f & (MS_RDONLY | 2 | 4 | 8 | 1024 | 2048);
        if ((f & 4096) != 0)
        {
            flags |= 1 << 21;
        }

        return flags;
    }

    /// <summary>0 missing, 1 directory, 2 anything else.</summary>
    private static int Kind(byte* path)
    {
        byte* st = stackalloc byte[256];
        if (Raw(SYS_newfstatat, -100 /* AT_FDCWD */, (long)path, (long)st, 0, 0, 0) < 0)
        {
            return 0;
        }

        uint mode = *(uint*)(st + 24);
        return (mode & 0xF000) == 0x4000 ? 1 : 2;
    }

    private static long Mask(SetupOp* op)
    {
        int kind = Kind(op->S1);
        return kind switch
        {
            0 => 0,
            1 => Raw(SYS_mount, (long)op->S3, (long)op->S1, (long)op->S3, MS_RDONLY, 0, 0),
            _ => Raw(SYS_mount, (long)op->S2, (long)op->S1, 0, MS_BIND, 0, 0),
        };
    }

    private static long ReadonlyBind(SetupOp* op)
    {
        if (Kind(op->S1) == 0)
        {
            return 0;
        }

        if (Raw(SYS_mount, (long)op->S1, (long)op->S1, 0, MS_BIND | op->A, 0, 0) < 0)
        {
            return -1;
        }

        long keep = MountFlagsOf(op->S1);
        return Raw(SYS_mount, 0, (long)op->S1, 0, MS_REMOUNT | MS_BIND | MS_RDONLY | keep | op->A, 0, 0);
    }

    /// <summary>A pty from the container's devpts: master sent over the console socket (A), slave kept open for
    /// AttachConsole and bound over /dev/console. S1 ptmx, S2 pts directory with a trailing '/', S3 console or
    /// null (exec: the container's /dev/console is already there).</summary>
    private static long ConsoleOp(ChildPlan* p, SetupOp* op)
    {
        long master = Raw(SYS_open, (long)op->S1, 2 | 0x100 | O_CLOEXEC, 0, 0, 0, 0);
        if (master < 0)
        {
            return -1;
        }

        int* n = stackalloc int[1];
        *n = 0;
        if (Raw(SYS_ioctl, master, 0x40045431 /* TIOCSPTLCK */, (long)n, 0, 0, 0) < 0
            || Raw(SYS_ioctl, master, 0x80045430 /* TIOCGPTN */, (long)n, 0, 0, 0) < 0)
        {
            return -1;
        }

        if (op->B != 0)
        {
            ushort* ws = stackalloc ushort[4];
            ws[0] = (ushort)(op->B >> 16);
            ws[1] = (ushort)(op->B & 0xffff);
            ws[2] = 0;
            ws[3] = 0;
            Raw(SYS_ioctl, master, 0x5414 /* TIOCSWINSZ */, (long)ws, 0, 0, 0);
        }

        if (!SendFd((int)op->A, (int)master, op->S1))
        {
            return -1;
        }

        Raw(SYS_close, master, 0, 0, 0, 0, 0);
        Raw(SYS_close, op->A, 0, 0, 0, 0, 0);

        byte* slave = stackalloc byte[4096];
        int len = 0;
        while (op->S2[len] != 0 && len < 4000)
        {
            slave[len] = op->S2[len];
            len++;
        }

        len += Decimal(*n, slave + len);
        slave[len] = 0;
        long fd = Raw(SYS_open, (long)slave, 2 | 0x100 | O_CLOEXEC, 0, 0, 0, 0);
        if (fd < 0 || Raw(SYS_fchown, fd, op->C & 0xffffffff, (op->C >> 32) & 0xffffffff, 0, 0, 0) < 0)
        {
            return -1;
        }

        p->SlaveFd = (int)fd;
        Raw(SYS_mknod, (long)op->S3, 0x8000 /* S_IFREG */ | 0x1a4, 0, 0, 0, 0);

        return op->S3 == null ? 0 : Raw(SYS_mount, (long)slave, (long)op->S3, 0, MS_BIND, 0, 0);
    }

    private static int Decimal(int value, byte* dest)
    {
        byte* digits = stackalloc byte[12];
        int count = 0;
        do
        {
            digits[count++] = (byte)('0' + (value % 10));
            value /= 10;
        }
        while (value > 0);
        for (int i = 0; i < count; i++)
        {
            dest[i] = digits[count - 1 - i];
        }

        return count;
    }

    /// <summary>sendmsg of one descriptor with SCM_RIGHTS and a text.</summary>
    private static bool SendFd(int socket, int fd, byte* text)
    {
        int len = 0;
        while (text[len] != 0)
        {
            len++;
        }

        long* iov = stackalloc long[2];
        iov[0] = (long)text;
        iov[1] = len;
        byte* control = stackalloc byte[24];
        for (int i = 0; i < 24; i++)
        {
            control[i] = 0;
        }

        *(long*)control = 20;
        *(int*)(control + 8) = 1; // SOL_SOCKET
        *(int*)(control + 12) = 1; // SCM_RIGHTS
        *(int*)(control + 16) = fd;
        long* msg = stackalloc long[7];
        msg[0] = 0;
        msg[1] = 0;
        msg[2] = (long)iov;
        msg[3] = 1;
        msg[4] = (long)control;
        msg[5] = 24;
        msg[6] = 0;
        return Raw(SYS_sendmsg, socket, (long)msg, 0, 0, 0, 0) >= 0;
    }

    /// <summary>Runs a hook (S1 path, A argv, B envp, C timeout in ms or 0) with the container state on its stdin.</summary>
    private static void RunHook(ChildPlan* p, SetupOp* op, int index)
    {
        int* fds = stackalloc int[2];
        if (Raw(SYS_pipe2, (long)fds, O_CLOEXEC, 0, 0, 0, 0) < 0)
        {
            Fail(p, StepSetup, index << 8);
        }

        long pid = Raw(SYS_clone, SIGCHLD, 0, 0, 0, 0, 0);
        if (pid == 0)
        {
            Raw(SYS_dup3, fds[0], 0, 0, 0, 0, 0);
            Raw(SYS_execve, (long)op->S1, op->A, op->B, 0, 0, 0);
            Raw(SYS_exit_group, 127, 0, 0, 0, 0, 0);
        }

        Raw(SYS_close, fds[0], 0, 0, 0, 0, 0);
        if (pid < 0)
        {
            Fail(p, StepSetup, index << 8);
        }

        Raw(SYS_write, fds[1], (long)p->StateBuffer, p->StateLength, 0, 0, 0);
        Raw(SYS_close, fds[1], 0, 0, 0, 0, 0);

        if (op->C > 0)
        {
            long pidfd = Raw(SYS_pidfd_open, pid, 0, 0, 0, 0, 0);
            long* pfd = stackalloc long[1];
            *(int*)pfd = (int)pidfd;
            *((short*)pfd + 2) = 1; // POLLIN
            *((short*)pfd + 3) = 0;
            if (pidfd >= 0 && Raw(SYS_poll, (long)pfd, 1, op->C, 0, 0, 0) == 0)
            {
                Raw(SYS_kill, pid, 9, 0, 0, 0, 0);
                Raw(SYS_wait4, pid, 0, 0, 0, 0, 0);
                *ErrnoLocation() = (int)ETIMEDOUT;
                Fail(p, StepSetup, index << 8);
            }

            Raw(SYS_close, pidfd, 0, 0, 0, 0, 0);
        }

        int* status = stackalloc int[1];
        *status = 0;
        while (Raw(SYS_wait4, pid, (long)status, 0, 0, 0, 0) < 0 && *ErrnoLocation() == EINTR)
        {
        }

        int code = (*status & 0x7f) == 0 ? (*status >> 8) & 0xff : 128 + (*status & 0x7f);
        if (code != 0)
        {
            *ErrnoLocation() = 1000 + code;
            Fail(p, StepHookStatus, index << 8);
        }
    }

    /// <summary>What can fail for reasons of the spec (rlimits, oom_score_adj, cwd): applied before ready, so that
    /// create reports it.</summary>
    private static void ApplyProcessEarly(ChildPlan* p, ProcessPlan* q)
    {
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

        if (q->Cwd != null && Raw(SYS_chdir, (long)q->Cwd, 0, 0, 0, 0, 0) < 0)
        {
            Fail(p, StepCwd);
        }
    }

    private static void ApplyProcess(ChildPlan* p, ProcessPlan* q)
    {
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

        if (q->NoNewPrivileges != 0 && Raw(SYS_prctl, 38 /* PR_SET_NO_NEW_PRIVS */, 1, 0, 0, 0, 0) < 0)
        {
            Fail(p, StepNoNewPrivileges);
        }

        if (q->CloseFrom > 0)
        {
            Raw(SYS_close_range, q->CloseFrom, uint.MaxValue, 4 /* CLOSE_RANGE_CLOEXEC */, 0, 0, 0);
        }
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

    /// <summary>Reads the go frame; its payload (the container state for hooks) goes to the state buffer.</summary>
    private static bool ReadGo(ChildPlan* p)
    {
        byte* frame = stackalloc byte[5];
        if (!ReadExactly(p->SyncFd, frame, 5) || frame[0] != FrameGo)
        {
            return false;
        }

        int length = *(int*)(frame + 1);
        if (length < 0 || length > p->StateCapacity)
        {
            return false;
        }

        if (length == 0)
        {
            return true;
        }

        p->StateLength = length;
        return ReadExactly(p->SyncFd, p->StateBuffer, length);
    }

    private static bool ReadExactly(int fd, byte* buffer, int count)
    {
        int got = 0;
        while (got < count)
        {
            long n = Raw(SYS_read, fd, (long)(buffer + got), count - got, 0, 0, 0);
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

        return true;
    }

    /// <summary>Default dispositions and an empty mask: the runtime ignores SIGPIPE, and an ignored signal
    /// would otherwise survive execve into the container.</summary>
    private static void ResetSignals(ChildPlan* p)
    {
        long* action = stackalloc long[4];
        action[0] = 0; // SIG_DFL
        action[1] = 0;
        action[2] = 0;
        action[3] = 0;
        for (int sig = 1; sig <= 64; sig++)
        {
            if (sig is 9 or 19)
            {
                continue; // SIGKILL and SIGSTOP cannot be changed
            }

            Raw(SYS_rt_sigaction, sig, (long)action, 0, 8, 0, 0);
        }

        long* mask = stackalloc long[1];
        mask[0] = 0;
        if (Raw(SYS_rt_sigprocmask, 2 /* SIG_SETMASK */, (long)mask, 0, 8, 0, 0) < 0)
        {
            Fail(p, StepSignals);
        }
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
        if (p->SyncFd >= 0)
        {
            WriteFrame(p->SyncFd, FrameError, errno, step | detail, 8); // namespace flags never touch the low 7 bits
        }
        else
        {
            // After ready nobody reads the sync socket: say it on the container's stderr, as runc does.
            byte* what = p->CurrentOp >= 0 && p->Ops != null ? p->Ops[p->CurrentOp].Description : p->StepTexts == null ? null : p->StepTexts[step];
            byte* line = stackalloc byte[1024];
            int n = Append(line, 0, "myruntime: "u8);
            for (int i = 0; what != null && what[i] != 0 && n < 900; i++)
            {
                line[n++] = what[i];
            }

            if (step == StepHookStatus)
            {
                n = Append(line, n, ": exit status "u8);
                n += Decimal(errno - 1000, line + n);
            }
            else
            {
                n = Append(line, n, ": errno "u8);
                n += Decimal(errno, line + n);
            }

            line[n++] = (byte)'\n';
            Raw(SYS_write, 2, (long)line, n, 0, 0, 0);
        }

        Raw(SYS_exit_group, 127, 0, 0, 0, 0, 0);
    }

    private static int Append(byte* line, int n, ReadOnlySpan<byte> text)
    {
        foreach (byte b in text)
        {
            line[n++] = b;
        }

        return n;
    }
}
