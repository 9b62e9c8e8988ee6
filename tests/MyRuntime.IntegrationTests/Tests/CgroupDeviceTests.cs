using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>linux.resources.devices: v1 devices.allow/deny here, a cgroup device eBPF program in the v2 guest.</summary>
public sealed class CgroupDeviceTests : IntegrationTest
{
    private const string DenyAll = """{"allow":false,"access":"rwm"}""";
    private const string AllowLoop = """{"allow":true,"type":"b","major":7,"access":"rwm"}""";
    private const string Eperm = "Operation not permitted";

    /// <summary>A bundle with these device rules whose process may mknod.</summary>
    private Bundle WithRules(params string[] rules)
    {
        var b = CgroupSupport.WithResources(Env.NewBundle(), $$"""{"devices":[{{string.Join(',', rules)}}]}""");
        JsonArray Caps() => ["CAP_MKNOD", "CAP_KILL", "CAP_AUDIT_WRITE"];
        b.Process["capabilities"] = new JsonObject { ["bounding"] = Caps(), ["effective"] = Caps(), ["permitted"] = Caps() };
        return b;
    }

    /// <summary>Reads a byte of a node; a refused open prints "head: NODE: Operation not permitted".</summary>
    private static string Probe(string node) => $"head -c1 {node} > /dev/null";

    [Fact]
    public void DenyAll_BlockDeviceCanBeMade_ButNotOpened_EvenWithCapMknod()
    {
        var b = WithRules(DenyAll).Shell(
            "mknod /dev/xsda b 8 0 && echo mknod-ok; head -c1 /dev/xsda; echo head=$?; " +
            "head -c1 /dev/null && echo null-ok; head -c4 /dev/zero | wc -c; echo x > /dev/null && echo write-null-ok").Save();
        var id = Env.NewId();

        var r = Env.Run("run", "--bundle", b.Dir, id);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("mknod-ok", r.StdoutLines);
        Assert.Contains("head=1", r.StdoutLines);
        Assert.Contains($"/dev/xsda: {Eperm}", r.Stderr);
        Assert.Contains("null-ok", r.StdoutLines);
        Assert.Contains("4", r.StdoutLines);
        Assert.Contains("write-null-ok", r.StdoutLines);
        Assert.Empty(CgroupSupport.CgroupDirsNamed(id));
    }

    [Fact]
    public void AllowRule_AndLinuxDevices_OpenTheirNodes_WhileOthersStayDenied()
    {
        var b = WithRules(DenyAll, AllowLoop);
        b.Linux["devices"] = new JsonArray(new JsonObject { ["path"] = "/dev/xtun", ["type"] = "c", ["major"] = 10, ["minor"] = 200 });
        b.Shell($"mknod /dev/xloop b 7 0; mknod /dev/xsda b 8 0; mknod /dev/xkmsg c 1 11; {Probe("/dev/xloop")}; {Probe("/dev/xsda")}; {Probe("/dev/xtun")}; {Probe("/dev/xkmsg")}; true").Save();

        var r = Env.Run("run", "--bundle", b.Dir, Env.NewId());

        // An unbound loop device reads nothing (no loop driver: ENXIO); an unattached tun device fails the read
        // with EBADFD: neither is EPERM. kmsg, allowed by no rule, is.
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain($"/dev/xloop: {Eperm}", r.Stderr);
        Assert.Contains($"/dev/xsda: {Eperm}", r.Stderr);
        Assert.DoesNotContain($"/dev/xtun: {Eperm}", r.Stderr);
        Assert.Contains($"/dev/xkmsg: {Eperm}", r.Stderr);
    }

    [Fact]
    public void DefaultNodes_StillWork()
    {
        var b = WithRules(DenyAll).Shell(
            "for n in null zero full random urandom; do head -c1 /dev/$n > /dev/null && echo $n-ok; done; " +
            "head -c1 /dev/tty; (exec 3<>/dev/ptmx) && echo ptmx-ok").Save();

        var r = Env.Run("run", "--bundle", b.Dir, Env.NewId());

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(["null-ok", "zero-ok", "full-ok", "random-ok", "urandom-ok", "ptmx-ok"], r.StdoutLines);
        Assert.Contains("/dev/tty: No such device or address", r.Stderr); // no controlling terminal, but allowed
        Assert.DoesNotContain(Eperm, r.Stderr);
    }

    [Fact]
    public void Update_ReplacesTheRules_OfARunningContainer()
    {
        var b = WithRules(DenyAll, AllowLoop);
        var (id, pid) = Env.CreateAndStart(b, "sh", "-c", "mknod /dev/xloop b 7 0; sleep 1000");
        ProcResult Open() => Env.Run("exec", id, "sh", "-c", Probe("/dev/xloop"));
        for (int i = 0; i < 100 && Env.Run("exec", id, "test", "-b", "/dev/xloop").ExitCode != 0; i++)
        {
            Thread.Sleep(50);
        }

        Assert.DoesNotContain(Eperm, Open().Stderr);

        var deny = Env.Runtime.Run(["update", "--resources", "-", id], stdin: $$"""{"devices":[{{DenyAll}}]}""");
        Assert.True(deny.ExitCode == 0, deny.ToString());
        Assert.Contains(Eperm, Open().Stderr);
        Assert.Contains("1", Env.RunOk("exec", id, "sh", "-c", "head -c1 /dev/zero | wc -c").Stdout);
        if (!CgroupSupport.V2)
        {
            string list = File.ReadAllText(Path.Combine(CgroupSupport.CgroupDir(pid, "devices"), "devices.list"));
            Assert.DoesNotContain("b 7:", list);
            Assert.Contains("c 1:3 rwm", list);
            Assert.DoesNotContain("a *:*", list);
        }

        // Back again: the program that denied is gone, not merely joined by one that allows.
        var allow = Env.Runtime.Run(["update", "--resources", "-", id], stdin: $$"""{"devices":[{{DenyAll}},{{AllowLoop}}]}""");
        Assert.True(allow.ExitCode == 0, allow.ToString());
        Assert.DoesNotContain(Eperm, Open().Stderr);

        var bad = Env.Runtime.Run(["update", "--resources", "-", id], stdin: """{"devices":[{"allow":true,"type":"q"}]}""");
        Assert.True(bad.ExitCode != 0, bad.ToString());
        Assert.Single(bad.StderrLines);
        Assert.DoesNotContain(Eperm, Open().Stderr);

        Env.RunOk("delete", "--force", id);
        Assert.Empty(CgroupSupport.CgroupDirsNamed(id));
    }

    [Theory]
    [InlineData("""{"allow":true,"type":"x","access":"rwm"}""", "type 'x'")]
    [InlineData("""{"allow":false,"type":"c","major":1,"minor":3,"access":"rwq"}""", "access 'rwq'")]
    [InlineData("""{"allow":false,"type":"b","major":-8,"access":"r"}""", "negative")]
    [InlineData("""{"allow":false,"type":"c","access":"rwm"}""", "cannot narrow")]
    public void BadRules_FailCleanly(string rule, string mentioned)
    {
        var b = WithRules(rule).Args("true").Save();
        var id = Env.NewId();

        var r = Env.Run("create", "--bundle", b.Dir, id);

        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Single(r.StderrLines);
        Assert.Contains("linux.resources.devices", r.Stderr);
        Assert.Contains(mentioned, r.Stderr);
        Assert.DoesNotContain(id, Env.StateEntries());
        Assert.Empty(CgroupSupport.CgroupDirsNamed(id));
    }

    [Fact]
    public void NoDeviceRules_LeaveDevicesAsTheHostHasThem()
    {
        var b = WithRules();
        ((JsonObject)b.Linux["resources"]!).Remove("devices");
        b.Shell($"mknod /dev/xloop b 7 0; {Probe("/dev/xloop")}; true").Save();

        var r = Env.Run("run", "--bundle", b.Dir, Env.NewId());

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain(Eperm, r.Stderr);
    }
}
