using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>linux.seccomp on the runtime face: actions, errnoRet, argument conditions, an allowlist, exec'd
/// processes under the container's filter, and bad profiles refused at create.</summary>
public sealed class SeccompTests : IntegrationTest
{
    /// <summary>What busybox's sh and a few applets need, and the runtime's child between the filter and execve.</summary>
    private static readonly string[] BusyboxCalls =
    [
        "execve", "brk", "arch_prctl", "set_tid_address", "getpid", "getppid", "gettid", "rt_sigaction", "rt_sigprocmask",
        "rt_sigreturn", "read", "write", "writev", "readv", "exit", "exit_group", "ioctl", "fcntl", "getuid", "geteuid",
        "getgid", "getegid", "uname", "stat", "fstat", "lstat", "newfstatat", "statx", "open", "openat", "close", "wait4",
        "clone", "fork", "vfork", "mmap", "munmap", "mprotect", "getcwd", "dup2", "dup3", "lseek", "getdents64", "access",
        "faccessat", "faccessat2", "prlimit64", "setpgid", "getpgrp", "getpgid", "pipe", "pipe2", "readlink", "sysinfo",
        "close_range", "capset", "capget", "prctl", "setresuid", "setresgid", "setgroups", "umask", "sched_setaffinity",
        "seccomp",
    ];

    private static JsonObject Profile(string defaultAction, params JsonObject[] rules) => new()
    {
        ["defaultAction"] = defaultAction,
        ["architectures"] = new JsonArray("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
        ["syscalls"] = new JsonArray([.. rules]),
    };

    private static JsonObject Rule(string action, string[] names, int? errnoRet = null, params JsonObject[] args)
    {
        var rule = new JsonObject { ["names"] = new JsonArray([.. names.Select(n => (JsonNode)n)]), ["action"] = action };
        if (errnoRet is { } e)
        {
            rule["errnoRet"] = e;
        }

        if (args.Length > 0)
        {
            rule["args"] = new JsonArray([.. args]);
        }

        return rule;
    }

    private ProcResult Run(Bundle bundle, JsonObject profile)
    {
        bundle.Linux["seccomp"] = profile;
        bundle.Save();
        return Env.Runtime.Run("run", "--bundle", bundle.Dir, Env.NewId());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ErrnoRet_MakesMkdirFail_WithOrWithoutNoNewPrivileges(bool noNewPrivileges)
    {
        var bundle = Env.NewBundle().Shell("mkdir /tmp/seccomp-dir; echo rc=$?; grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status");
        bundle.Process["noNewPrivileges"] = noNewPrivileges;

        var r = Run(bundle, Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", ["mkdir", "mkdirat"], errnoRet: 38)));

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Function not implemented", r.Stderr);
        Assert.Contains("rc=1", r.Stdout);
        Assert.Matches(@"Seccomp:\s+2", r.Stdout);
        Assert.Matches(noNewPrivileges ? @"NoNewPrivs:\s+1" : @"NoNewPrivs:\s+0", r.Stdout);
    }

    [Fact]
    public void KillProcess_EndsTheContainerWithSigsys()
    {
        var bundle = Env.NewBundle().Args("mkdir", "/tmp/seccomp-killed");

        var r = Run(bundle, Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_KILL_PROCESS", ["mkdir", "mkdirat"])));

        Assert.True(r.ExitCode == 128 + 31, r.ToString());
    }

    [Fact]
    public void ArgumentCondition_DeniesOnlyThatValue()
    {
        // linux32 calls personality(PER_LINUX32 = 8), linux64 personality(PER_LINUX = 0).
        var bundle = Env.NewBundle().Shell("linux64 true; echo linux64=$?; linux32 true; echo linux32=$?");
        var eq8 = new JsonObject { ["index"] = 0, ["value"] = 8, ["op"] = "SCMP_CMP_EQ" };

        var r = Run(bundle, Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", ["personality"], errnoRet: 13, eq8)));

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("linux64=0", r.Stdout);
        Assert.DoesNotContain("linux32=0", r.Stdout);
        Assert.Contains("Permission denied", r.Stderr);
    }

    [Fact]
    public void DefaultErrno_WithAnAllowlist_RunsBusybox_AndDeniesTheRest()
    {
        var bundle = Env.NewBundle().Shell("echo hello; mkdir /tmp/seccomp-denied || echo denied");

        var r = Run(bundle, Profile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", BusyboxCalls)));

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("hello", r.Stdout);
        Assert.Contains("denied", r.Stdout);
        Assert.Contains("Operation not permitted", r.Stderr);
    }

    [Fact]
    public void Exec_RunsUnderTheContainersFilter()
    {
        var bundle = Env.NewBundle().Args("sleep", "1000");
        bundle.Linux["seccomp"] = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", ["mkdir", "mkdirat"], errnoRet: 38));
        bundle.Save();
        var id = Env.NewId();
        try
        {
            var c = Env.Runtime.Run("create", "--bundle", bundle.Dir, id);
            Assert.True(c.ExitCode == 0, c.ToString());
            Assert.True(Env.Runtime.Run("start", id).ExitCode == 0);

            var r = Env.Runtime.Run("exec", id, "sh", "-c", "mkdir /tmp/seccomp-exec; grep Seccomp: /proc/self/status");

            Assert.Contains("Function not implemented", r.Stderr);
            Assert.Matches(@"Seccomp:\s+2", r.Stdout);
        }
        finally
        {
            Env.Runtime.Run("delete", "--force", id);
        }
    }

    [Theory]
    [InlineData("""{"defaultAction":"SCMP_ACT_BOGUS"}""", "unknown action \"SCMP_ACT_BOGUS\"")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_PDP11"]}""", "unknown architecture")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_ABOUT"}]}]}""", "unknown argument operator")]
    [InlineData("""{"defaultAction":"SCMP_ACT_NOTIFY","listenerPath":"/run/seccomp.sock"}""", "not supported")]
    public void BadProfile_CreateRefused_NothingLeft(string profile, string mentioned)
    {
        var bundle = Env.NewBundle();
        bundle.Linux["seccomp"] = JsonNode.Parse(profile);

        CgroupSupport.AssertCreateRefused(Env, bundle, mentioned);
    }
}
