using MyRuntime.Engine.Security;
using MyRuntime.Runtime.Security.Seccomp;
using static MyRuntime.Tests.Seccomp.ClassicBpf;

namespace MyRuntime.Tests.Seccomp;

public class DefaultSeccompProfileTests
{
    private const uint Allow = 0x7fff0000;
    private const uint Eperm = 0x00050001;
    private const uint Enosys = 0x00050026;
    private const uint KillProcess = 0x80000000;

    // x86_64: read 0, clone 56, unshare 272, mount 165, keyctl 250, ptrace 101, clone3 435, personality 135,
    // socket 41, reboot 169; i386: unshare 310, getpid 20; x32: getpid 39.
    private static ulong[] Program(params string[] caps) =>
        SeccompCompiler.Compile(DefaultSeccompProfile.For([.. MyRuntime.Engine.Bundle.DockerCapabilities.Defaults, .. caps])).Instructions;

    [Fact]
    public void DefaultCaps_DenyNamespacesMountKeyring_AllowTheRest()
    {
        var p = Program();
        Assert.True(p.Length < 1400, $"{p.Length} instructions"); // x86_64, i386 and x32, each a binary search
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 0));
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, 272));
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, 165));
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, 250));
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, 169));
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 101));
        Assert.Equal(Enosys, Run(p, AuditArchX86_64, 435));
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 56, 0x01200011)); // fork-like clone: CLONE_CHILD_SETTID|CLEARTID|SIGCHLD
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, 56, 0x10000000 | 17)); // CLONE_NEWUSER
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 135, 8));
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, 135, 0x0040000)); // READ_IMPLIES_EXEC
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 41, 2)); // AF_INET
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, 41, 40)); // AF_VSOCK
        Assert.Equal(Allow, Run(p, AuditArchI386, 20));
        Assert.Equal(Eperm, Run(p, AuditArchI386, 310));
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 39 | 0x40000000));
        Assert.Equal(KillProcess, Run(p, 0xC00000B7, 0));
    }

    [Fact]
    public void CapSysAdmin_AllowsNamespacesMountAndClone3()
    {
        var p = Program("CAP_SYS_ADMIN");
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 272));
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 165));
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 435));
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 56, 0x10000000 | 17));
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, 250));
    }
}
