using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests.Conformance;

/// <summary>
/// Fields myruntime cannot apply on this host are refused at create with one line naming them, leaving nothing
/// (the spec wants an error, not a field silently left out); the empty values engines write stay accepted; seccomp
/// (issue 8) is a warning in the runtime's log.
/// </summary>
public sealed class UnsupportedFieldsConformanceTests : ConformanceTest
{
    private static readonly bool AppArmor = File.Exists("/sys/module/apparmor/parameters/enabled")
        && File.ReadAllText("/sys/module/apparmor/parameters/enabled").Trim() == "Y";

    private static readonly bool Selinux = File.Exists("/sys/fs/selinux/enforce");

    [NotOnRuncFact("runc 1.1 ignores uidMappings on a mount and its SELinux check differs")]
    public void UnsupportedFields_FailCreate_WithOneLineNamingThem_LeavingNothing()
    {
        var cases = new List<(Action<Bundle> Set, string Message)>
        {
            (b => b.AddMount("/mnt", "bind", Env.TempDir, "rbind").Config["mounts"]!.AsArray()[^1]!["uidMappings"] =
                new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 }), "idmapped mounts"),
            (b => b.Linux["intelRdt"] = new JsonObject { ["closID"] = "it" }, "linux.intelRdt"),
            (b => b.Linux["timeOffsets"] = new JsonObject { ["monotonic"] = new JsonObject { ["secs"] = 3600, ["nanosecs"] = 0 } }, "linux.timeOffsets"),
        };
        if (!AppArmor)
        {
            cases.Add((b => b.Process["apparmorProfile"] = "it-profile", "apparmor profile specified but AppArmor is not enabled"));
        }

        if (!Selinux)
        {
            cases.Add((b => b.Process["selinuxLabel"] = "system_u:system_r:container_t:s0", "process.selinuxLabel"));
            cases.Add((b => b.Linux["mountLabel"] = "system_u:object_r:container_file_t:s0", "linux.mountLabel"));
        }

        foreach (var (set, message) in cases)
        {
            var bundle = Env.NewBundle().Args("true");
            set(bundle);
            bundle.Save();
            var id = Env.NewId();

            var r = Env.Runtime.Run("create", "--bundle", bundle.Dir, id);

            Assert.True(r.ExitCode != 0, r.ToString());
            Assert.Single(r.StderrLines);
            Assert.Contains(message, r.Stderr);
            Assert.Empty(Env.StateEntries());
            Assert.Empty(CgroupSupport.CgroupDirsNamed(id));
            Env.AssertNoLeftoverProcesses();
        }
    }

    [Fact]
    public void EmptySecurityLabels_AndANullIntelRdt_AreAccepted()
    {
        var bundle = Env.NewBundle().Args("echo", "ran");
        bundle.Process["apparmorProfile"] = string.Empty;
        bundle.Process["selinuxLabel"] = string.Empty;
        bundle.Linux["mountLabel"] = string.Empty;
        bundle.Linux["intelRdt"] = null;

        var r = RunOk(bundle);

        Assert.Equal(new[] { "ran" }, r.StdoutLines);
    }
}
