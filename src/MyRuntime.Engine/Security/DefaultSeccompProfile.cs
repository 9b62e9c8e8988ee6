using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Engine.Security;

/// <summary>
/// The engine's default seccomp profile, Docker's policy as our own data: a deny-by-default allowlist (EPERM), the
/// calls that need a capability allowed only when the container has it, clone without namespace flags and clone3
/// answered ENOSYS unless CAP_SYS_ADMIN, personality limited to its harmless personas, AF_VSOCK sockets refused.
/// </summary>
public static class DefaultSeccompProfile
{
    /// <summary>Allowed for every container.</summary>
    public static readonly IReadOnlyList<string> Allowed =
    [
        // files and directories
        "access", "faccessat", "faccessat2", "chdir", "fchdir", "chmod", "fchmod", "fchmodat", "chown", "chown32",
        "fchown", "fchown32", "fchownat", "lchown", "lchown32", "creat", "open", "openat", "openat2", "close", "close_range",
        "dup", "dup2", "dup3", "fcntl", "fcntl64", "flock", "fsync", "fdatasync", "syncfs", "sync", "sync_file_range",
        "fallocate", "ftruncate", "ftruncate64", "truncate", "truncate64", "getcwd", "getdents", "getdents64", "link",
        "linkat", "symlink", "symlinkat", "unlink", "unlinkat", "rename", "renameat", "renameat2", "mkdir", "mkdirat",
        "rmdir", "mknod", "mknodat", "readlink", "readlinkat", "stat", "stat64", "lstat", "lstat64", "fstat", "fstat64",
        "fstatat64", "newfstatat", "statx", "statfs", "statfs64", "fstatfs", "fstatfs64", "umask", "utime", "utimes",
        "utimensat", "utimensat_time64", "futimesat", "name_to_handle_at", "copy_file_range", "fadvise64", "fadvise64_64",
        "readahead", "getxattr", "lgetxattr", "fgetxattr", "setxattr", "lsetxattr", "fsetxattr", "listxattr", "llistxattr",
        "flistxattr", "removexattr", "lremovexattr", "fremovexattr", "inotify_init", "inotify_init1", "inotify_add_watch",
        "inotify_rm_watch", "fanotify_mark",

        // reading and writing
        "read", "readv", "pread64", "preadv", "preadv2", "write", "writev", "pwrite64", "pwritev", "pwritev2", "lseek",
        "_llseek", "sendfile", "sendfile64", "splice", "tee", "vmsplice", "pipe", "pipe2", "ioctl", "select", "_newselect",
        "pselect6", "pselect6_time64", "poll", "ppoll", "ppoll_time64", "epoll_create", "epoll_create1", "epoll_ctl",
        "epoll_ctl_old", "epoll_wait", "epoll_wait_old", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "signalfd",
        "signalfd4", "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
        "io_setup", "io_destroy", "io_submit", "io_cancel", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
        "io_uring_setup", "io_uring_enter", "io_uring_register",

        // memory
        "brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "madvise", "mincore", "msync", "mlock", "mlock2",
        "mlockall", "munlock", "munlockall", "membarrier", "memfd_create", "memfd_secret", "remap_file_pages",
        "pkey_alloc", "pkey_free", "pkey_mprotect",

        // processes, threads, signals
        "execve", "execveat", "exit", "exit_group", "fork", "vfork", "wait4", "waitid", "waitpid", "kill", "tkill",
        "tgkill", "pidfd_open", "pidfd_send_signal", "process_mrelease", "rt_sigaction", "rt_sigpending",
        "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
        "rt_tgsigqueueinfo", "sigaltstack", "sigprocmask", "sigreturn", "pause", "restart_syscall", "futex",
        "futex_time64", "futex_waitv", "set_robust_list", "get_robust_list", "set_tid_address", "set_thread_area",
        "get_thread_area", "rseq", "prctl", "arch_prctl", "modify_ldt", "seccomp", "capget", "capset",
        "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",

        // identity and limits
        "getpid", "getppid", "gettid", "getpgid", "getpgrp", "setpgid", "getsid", "setsid", "getuid", "getuid32",
        "geteuid", "geteuid32", "getgid", "getgid32", "getegid", "getegid32", "getresuid", "getresuid32", "getresgid",
        "getresgid32", "getgroups", "getgroups32", "setuid", "setuid32", "setgid", "setgid32", "setreuid", "setreuid32",
        "setregid", "setregid32", "setresuid", "setresuid32", "setresgid", "setresgid32", "setfsuid", "setfsuid32",
        "setfsgid", "setfsgid32", "setgroups", "setgroups32", "getrlimit", "ugetrlimit", "setrlimit", "prlimit64",
        "getrusage", "getpriority", "setpriority", "ioprio_get", "ioprio_set", "sched_yield", "sched_getaffinity",
        "sched_setaffinity", "sched_getattr", "sched_setattr", "sched_getparam", "sched_setparam", "sched_getscheduler",
        "sched_setscheduler", "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval",
        "sched_rr_get_interval_time64", "getcpu",

        // time
        "time", "gettimeofday", "clock_gettime", "clock_gettime64", "clock_getres", "clock_getres_time64",
        "clock_nanosleep", "clock_nanosleep_time64", "nanosleep", "adjtimex", "clock_adjtime", "clock_adjtime64",
        "alarm", "getitimer", "setitimer", "times", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
        "timer_gettime64", "timer_settime", "timer_settime64",

        // sockets and IPC
        "socketpair", "socketcall", "bind", "connect", "listen", "accept", "accept4", "getsockname", "getpeername",
        "getsockopt", "setsockopt", "shutdown", "send", "sendto", "sendmsg", "sendmmsg", "recv", "recvfrom", "recvmsg",
        "recvmmsg", "recvmmsg_time64", "ipc", "msgget", "msgctl", "msgsnd", "msgrcv", "semget", "semctl", "semop",
        "semtimedop", "semtimedop_time64", "shmget", "shmctl", "shmat", "shmdt", "mq_open", "mq_unlink", "mq_notify",
        "mq_getsetattr", "mq_timedsend", "mq_timedsend_time64", "mq_timedreceive", "mq_timedreceive_time64",

        // the system
        "uname", "sysinfo", "getrandom",

        // kernels from 4.8 check ptrace against seccomp again after the tracer's changes
        "ptrace", "process_vm_readv", "process_vm_writev",
    ];

    /// <summary>Calls allowed only with a capability.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> ByCapability = new Dictionary<string, string[]>
    {
        ["CAP_SYS_ADMIN"] =
        [
            "bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie", "mount",
            "mount_setattr", "move_mount", "open_tree", "perf_event_open", "quotactl", "quotactl_fd", "setdomainname",
            "sethostname", "setns", "syslog", "umount", "umount2", "unshare",
        ],
        ["CAP_DAC_READ_SEARCH"] = ["open_by_handle_at"],
        ["CAP_SYS_BOOT"] = ["reboot"],
        ["CAP_SYS_CHROOT"] = ["chroot"],
        ["CAP_SYS_MODULE"] = ["init_module", "finit_module", "delete_module"],
        ["CAP_SYS_PACCT"] = ["acct"],
        ["CAP_SYS_PTRACE"] = ["kcmp", "pidfd_getfd", "process_madvise"],
        ["CAP_SYS_RAWIO"] = ["iopl", "ioperm"],
        ["CAP_SYS_TIME"] = ["settimeofday", "stime", "clock_settime", "clock_settime64"],
        ["CAP_SYS_TTY_CONFIG"] = ["vhangup"],
        ["CAP_SYS_NICE"] = ["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"],
        ["CAP_SYSLOG"] = ["syslog"],
        ["CAP_BPF"] = ["bpf"],
        ["CAP_PERFMON"] = ["perf_event_open"],
    };

    /// <summary>CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET: clone with none of them is allowed.</summary>
    public const ulong NamespaceCloneFlags = 0x7E020000;

    /// <summary>The personas personality(2) may switch to: PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, and
    /// the query 0xffffffff.</summary>
    public static readonly IReadOnlyList<ulong> Personas = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

    private const ulong AfVsock = 40;

    /// <summary>The profile for a container with these capabilities (CAP_* names).</summary>
    public static LinuxSeccomp For(IReadOnlyCollection<string> capabilities)
    {
        var rules = new List<LinuxSyscall> { Allow(Allowed) };
        rules.Add(Allow(["socket"], new LinuxSeccompArg { Index = 0, Value = AfVsock, Op = "SCMP_CMP_NE" }));
        rules.AddRange(Personas.Select(p => Allow(["personality"], new LinuxSeccompArg { Index = 0, Value = p, Op = "SCMP_CMP_EQ" })));
        foreach (var (cap, names) in ByCapability)
        {
            if (capabilities.Contains(cap))
            {
                rules.Add(Allow(names));
            }
        }

        if (!capabilities.Contains("CAP_SYS_ADMIN"))
        {
            rules.Add(Allow(["clone"], new LinuxSeccompArg { Index = 0, Value = NamespaceCloneFlags, ValueTwo = 0, Op = "SCMP_CMP_MASKED_EQ" }));
            rules.Add(new LinuxSyscall { Names = ["clone3"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 38 });
        }

        return new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            DefaultErrnoRet = 1,
            Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            Syscalls = rules,
        };
    }

    private static LinuxSyscall Allow(IEnumerable<string> names, params LinuxSeccompArg[] args) =>
        new() { Names = [.. names], Action = "SCMP_ACT_ALLOW", Args = args.Length > 0 ? [.. args] : null };
}
