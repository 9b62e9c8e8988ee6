using MyRuntime.IntegrationTests.Infrastructure;
using MyRuntime.IntegrationTests.Infrastructure.Engine;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>The engine's seccomp: Docker's default profile (relaxed by the capabilities), seccomp=unconfined,
/// a profile file, no-new-privileges, and bad --security-opt values refused with nothing left.</summary>
public sealed class EngineSeccompTests : IDisposable
{
    private const string Image = "seccomp-busybox:latest";

    /// <summary>Prints the filter mode, then the exit status of what the default profile denies without CAP_SYS_ADMIN.</summary>
    private const string Probe = "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; unshare -U true; echo userns=$?; unshare -m true; echo mountns=$?; "
        + "mount -t tmpfs none /mnt; echo mount=$?; linux32 true; echo linux32=$?";

    private readonly EngineHost host = new();

    public EngineSeccompTests()
    {
        string tar = Path.Combine(host.Dir, "rootfs.tar");
        var made = HostCommand.Run("tar", "-C", TestSettings.ImageRootfs, "-cf", tar, ".");
        Assert.True(made.ExitCode == 0, made.ToString());
        string probeDir = Directory.CreateDirectory(Path.Combine(host.Dir, "probe")).FullName;
        SysProbe.BuildInto(probeDir);
        var added = HostCommand.Run("tar", "-C", probeDir, "-rf", tar, "sysprobe");
        Assert.True(added.ExitCode == 0, added.ToString());
        host.Ok("import", tar, Image);
    }

    public void Dispose() => host.Dispose();

    private ProcResult Run(params string[] flags) => host.Ok(["run", "--rm", "--network", "none", .. flags, Image, "sh", "-c", Probe]);

    [Fact]
    public void DefaultProfile_DeniesNamespacesAndMount_AllowsPersonaLinux32()
    {
        var r = Run();
        Assert.Matches(@"Seccomp:\s+2", r.Stdout);
        Assert.Matches(@"NoNewPrivs:\s+0", r.Stdout);
        Assert.DoesNotContain("userns=0", r.Stdout);
        Assert.DoesNotContain("mountns=0", r.Stdout);
        Assert.DoesNotContain("mount=0", r.Stdout);
        Assert.Contains("linux32=0", r.Stdout);
        Assert.Contains("Operation not permitted", r.Stderr);
    }

    [Fact]
    public void CapSysAdmin_RelaxesTheDefaultProfile()
    {
        var r = Run("--cap-add", "SYS_ADMIN");
        Assert.Matches(@"Seccomp:\s+2", r.Stdout);
        Assert.Contains("mountns=0", r.Stdout);
        Assert.Contains("mount=0", r.Stdout);
    }

    [Fact]
    public void Unconfined_HasNoFilter()
    {
        var unconfined = Run("--security-opt", "seccomp=unconfined", "--cap-add", "SYS_ADMIN");
        Assert.Matches(@"Seccomp:\s+0", unconfined.Stdout);
        Assert.Contains("mountns=0", unconfined.Stdout);
        Assert.Contains("mount=0", unconfined.Stdout);
    }

    [Fact]
    public void Keyctl_IsEpermUnderTheDefaultProfile_NotUnconfined()
    {
        Assert.Contains("keyctl=1", host.Ok("run", "--rm", "--network", "none", Image, "/sysprobe", "keyctl").Stdout); // EPERM
        Assert.Contains("keyctl=0", host.Ok("run", "--rm", "--network", "none", "--security-opt", "seccomp=unconfined", Image, "/sysprobe", "keyctl").Stdout);
    }

    /// <summary>A host process (root, with all capabilities) seen through --pid host: the default container
    /// cannot trace it; a privileged one (no seccomp filter, every capability) can.</summary>
    [Fact]
    public void PtraceOfAHostProcess_IsEperm_UnlessPrivileged()
    {
        using var target = System.Diagnostics.Process.Start("sleep", "1000");
        try
        {
            string pid = target.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var confined = host.Ok("run", "--rm", "--network", "none", "--pid", "host", Image, "sh", "-c", $"grep -q sleep /proc/{pid}/comm && echo visible; /sysprobe ptrace {pid}");
            Assert.Contains("visible", confined.Stdout);
            Assert.Contains("ptrace=1", confined.Stdout); // EPERM
            var privileged = host.Ok("run", "--rm", "--network", "none", "--pid", "host", "--privileged", Image, "sh", "-c", $"grep Seccomp: /proc/self/status; /sysprobe ptrace {pid}");
            Assert.Matches(@"Seccomp:\s+0", privileged.Stdout);
            Assert.Contains("ptrace=0", privileged.Stdout);
            Assert.False(target.HasExited, "the traced process was detached, not killed");
        }
        finally
        {
            target.Kill();
            target.WaitForExit();
        }
    }

    [Fact]
    public void ProfileFile_NoNewPrivileges_AndInspect()
    {
        string profile = Path.Combine(host.Dir, "profile.json");
        File.WriteAllText(profile, """
            {"defaultAction":"SCMP_ACT_ALLOW","archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"]}],
             "syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":38},
                         {"name":"rmdir","action":"SCMP_ACT_ERRNO","includes":{"caps":["CAP_SYS_ADMIN"]}}]}
            """);
        host.Ok("create", "--name", "seccomp-file", "--network", "none", "--security-opt", $"seccomp={profile}",
            "--security-opt", "no-new-privileges:true", "--security-opt", "label=disable", Image,
            "sh", "-c", "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; mkdir /tmp/d; echo mkdir=$?; rmdir /tmp; echo rmdir=$?");
        var inspect = host.Ok("inspect", "seccomp-file");
        Assert.Contains("no-new-privileges:true", inspect.Stdout);
        Assert.Contains("\"SecurityOpt\"", inspect.Stdout);

        var r = host.Ok("start", "-a", "seccomp-file");
        Assert.Matches(@"Seccomp:\s+2", r.Stdout);
        Assert.Matches(@"NoNewPrivs:\s+1", r.Stdout);
        Assert.Contains("mkdir=1", r.Stdout);
        Assert.Contains("Function not implemented", r.Stderr);
        Assert.DoesNotContain("Operation not permitted", r.Stderr); // the rmdir rule needs CAP_SYS_ADMIN: not there
        host.Ok("rm", "seccomp-file");
    }

    [Theory]
    [InlineData("seccomp=/nonexistent/profile.json", "seccomp profile /nonexistent/profile.json")]
    [InlineData("seccomp=BAD", "seccomp profile BAD")]
    [InlineData("apparmor=docker-default", "invalid --security-opt")]
    [InlineData("no-new-privileges=maybe", "no-new-privileges takes true or false")]
    public void BadSecurityOpt_IsOneLine_NothingLeft(string option, string mentioned)
    {
        string value = option == "seccomp=BAD" ? "seccomp=" + WriteBad() : option;
        var r = host.Run("run", "--rm", "--network", "none", "--security-opt", value, Image, "true");
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Single(r.StderrLines);
        Assert.Contains(option == "seccomp=BAD" ? "seccomp profile " + Path.Combine(host.Dir, "bad.json") : mentioned, r.Stderr);
        Assert.Empty(host.ContainerDirs());
    }

    private string WriteBad()
    {
        string path = Path.Combine(host.Dir, "bad.json");
        File.WriteAllText(path, """{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_SOMETIMES"}]}""");
        return path;
    }
}
