namespace MyRuntime.Linux.Spawn;

/// <summary>The child's setup program: one raw-syscall routine per <see cref="SetupOpCode"/>.</summary>
internal static unsafe partial class RawChild
{
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
                    p->StartFd = (int)r;
                    Raw(SYS_close, op->A, 0, 0, 0, 0, 0);
                }

                break;
            case SetupOpCode.SignalStart:
                if (p->StartFd > 0)
                {
                    byte* zero = stackalloc byte[1];
                    zero[0] = (byte)'0';
                    r = Raw(SYS_write, p->StartFd, (long)zero, 1, 0, 0, 0);
                    Raw(SYS_close, p->StartFd, 0, 0, 0, 0, 0);
                    p->StartFd = 0;
                }

                break;
            case SetupOpCode.ApplyProcessEarly:
                if (p->Process != null)
                {
                    ApplyProcessEarly(p, p->Process);
                    p->EarlyDone = 1;
                }

                break;
            case SetupOpCode.ReplaceInState:
                ReplaceInState(p, op->S1, op->S2);
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

    /// <summary>Overwrites the first occurrence of find in the state buffer with replace (same length; no-op when absent).</summary>
    private static void ReplaceInState(ChildPlan* p, byte* find, byte* replace)
    {
        int n = 0;
        while (find[n] != 0)
        {
            n++;
        }

        for (int at = 0; n > 0 && at + n <= p->StateLength; at++)
        {
            int k = 0;
            while (k < n && p->StateBuffer[at + k] == find[k])
            {
                k++;
            }

            if (k == n)
            {
                for (int i = 0; i < n; i++)
                {
                    p->StateBuffer[at + i] = replace[i];
                }

                return;
            }
        }
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
}
