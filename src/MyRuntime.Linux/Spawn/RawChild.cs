using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MyRuntime.Linux.Spawn;

/// <summary>
/// clone(2) and everything the child does before execve(2). The child side runs only raw system calls
/// through <see cref="SuppressGCTransitionAttribute"/> imports: no allocation, no GC transition, no locks,
/// so it is safe in a copy of a multi-threaded process whose other threads do not exist.
/// </summary>
internal static unsafe partial class RawChild
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
    public const int StepProcessGroup = 20;
    public const int StepPersonality = 21;
    public const int StepScheduler = 22;
    public const int StepIoPriority = 23;
    public const int StepAffinity = 24;
    public const int StepSeccomp = 25;

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
    private const long SYS_setpgid = 109;
    private const long SYS_getpid = 39;
    private const long SYS_personality = 135;
    private const long SYS_sched_setaffinity = 203;
    private const long SYS_ioprio_set = 251;
    private const long SYS_sched_setattr = 314;
    private const long SYS_seccomp = 317;
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

        if (p->NewProcessGroup != 0 && !ProcessGroup(p->ForegroundTerminal))
        {
            Fail(p, StepProcessGroup);
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

    /// <summary>setpgid(0, 0) and, when terminal is a terminal, tcsetpgrp on it with SIGTTOU blocked (a background
    /// group may then take the foreground); ENOTTY and ENXIO (no terminal there) are no error.</summary>
    private static bool ProcessGroup(int terminal)
    {
        if (Raw(SYS_setpgid, 0, 0, 0, 0, 0, 0) < 0)
        {
            return false;
        }

        if (terminal < 0)
        {
            return true;
        }

        long* mask = stackalloc long[2];
        mask[0] = 1L << (22 - 1); // SIGTTOU
        mask[1] = 0;
        Raw(SYS_rt_sigprocmask, 0 /* SIG_BLOCK */, (long)mask, (long)(mask + 1), 8, 0, 0);
        int* group = stackalloc int[1];
        group[0] = (int)Raw(SYS_getpid, 0, 0, 0, 0, 0, 0);
        long r = Raw(SYS_ioctl, terminal, 0x5410 /* TIOCSPGRP */, (long)group, 0, 0, 0);
        int errno = *ErrnoLocation();
        Raw(SYS_rt_sigprocmask, 2 /* SIG_SETMASK */, (long)(mask + 1), 0, 8, 0, 0);
        *ErrnoLocation() = errno;
        return r >= 0 || errno is 25 /* ENOTTY */ or 6 /* ENXIO */;
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
