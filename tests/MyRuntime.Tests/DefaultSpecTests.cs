using System.Text.Json;
using MyRuntime.Linux;
using MyRuntime.Oci;
using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Config;
using MyRuntime.Runtime.Rootfs;

namespace MyRuntime.Tests;

public class DefaultSpecTests
{
    [Fact]
    public void Create_IsRuncsDefaultShell()
    {
        var spec = DefaultSpec.Create(rootless: false);

        Assert.Equal(SpecVersion.Current, spec.OciVersion);
        Assert.Equal(["sh"], spec.Process!.Args);
        Assert.True(spec.Process.Terminal);
        Assert.Equal("/", spec.Process.Cwd);
        Assert.Equal("rootfs", spec.Root!.Path);
        Assert.True(spec.Root.Readonly);
        Assert.Equal(
            ["pid", "network", "ipc", "uts", "mount", "cgroup"],
            spec.Linux!.Namespaces!.Select(n => n.Type));
        Assert.Null(spec.Linux.UidMappings);
        Assert.Contains(spec.Mounts!, m => m.Type == "cgroup");
        var deny = Assert.Single(spec.Linux.Resources!.Devices!); // runc's: deny every device, then the defaults
        Assert.False(deny.Allow);
        Assert.Null(deny.Type);
        Assert.Equal("rwm", deny.Access);
        Assert.Null(DefaultSpec.Create(rootless: true).Linux!.Resources);
    }

    [Fact]
    public void Create_RootlessSwapsNetworkForUserNamespaceWithMappings()
    {
        var spec = DefaultSpec.Create(rootless: true);
        var types = spec.Linux!.Namespaces!.Select(n => n.Type).ToList();
        uint euid = Credentials.GetEuid();

        Assert.Contains("user", types);
        Assert.DoesNotContain("network", types);
        var uid = Assert.Single(spec.Linux.UidMappings!);
        Assert.Equal((0u, euid, 1u), (uid.ContainerId, uid.HostId, uid.Size));
        var gid = Assert.Single(spec.Linux.GidMappings!);
        Assert.Equal((0u, euid, 1u), (gid.ContainerId, gid.HostId, gid.Size));
    }

    [Fact]
    public void Create_RootlessBindMountsSysAndDropsCgroupAndPtsGid()
    {
        var spec = DefaultSpec.Create(rootless: true);

        var sys = Assert.Single(spec.Mounts!, m => m.Destination == "/sys");
        Assert.Equal("bind", sys.Type);
        Assert.Equal("/sys", sys.Source);
        Assert.Contains("rbind", sys.Options!);
        Assert.Contains("ro", sys.Options!);
        Assert.DoesNotContain(spec.Mounts!, m => m.Type == "cgroup");
        var pts = Assert.Single(spec.Mounts!, m => m.Destination == "/dev/pts");
        Assert.DoesNotContain("gid=5", pts.Options!);
    }

    [Fact]
    public void Create_RootlessDoesNotChangeTheNextRootfulSpec()
    {
        _ = DefaultSpec.Create(rootless: true);
        var spec = DefaultSpec.Create(rootless: false);

        Assert.Contains("gid=5", spec.Mounts!.Single(m => m.Destination == "/dev/pts").Options!);
        Assert.Equal("sysfs", spec.Mounts!.Single(m => m.Destination == "/sys").Type);
    }

    [Fact]
    public void Create_CapabilityListsAreIndependent()
    {
        var spec = DefaultSpec.Create(rootless: false);
        var caps = spec.Process!.Capabilities!;

        caps.Bounding!.Add("CAP_SYS_ADMIN");

        Assert.DoesNotContain("CAP_SYS_ADMIN", caps.Effective!);
        Assert.DoesNotContain("CAP_SYS_ADMIN", DefaultSpec.Create(rootless: false).Process!.Capabilities!.Bounding!);
    }

    [Fact]
    public void Serialize_UsesCamelCaseSpecNamesAndOmitsNulls()
    {
        string json = JsonSerializer.Serialize(DefaultSpec.Create(rootless: true), OciJson.Default.Spec);

        Assert.Contains("\"ociVersion\":", json);
        Assert.Contains("\"noNewPrivileges\":true", json);
        Assert.Contains("\"containerID\":0", json);
        Assert.Contains("\"hostID\":", json);
        Assert.DoesNotContain("\"domainname\"", json);
        Assert.DoesNotContain("null", json);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Serialize_RoundTripsThroughSpecLoader(bool rootless)
    {
        var original = DefaultSpec.Create(rootless);

        byte[] json = JsonSerializer.SerializeToUtf8Bytes(original, OciJson.Indented.Spec);
        var parsed = SpecLoader.Parse(json, "config.json");

        Assert.Equal(
            JsonSerializer.Serialize(original, OciJson.Default.Spec),
            JsonSerializer.Serialize(parsed, OciJson.Default.Spec));
        Assert.Equal(original.Mounts!.Count, parsed.Mounts!.Count);
        Assert.Equal(original.Process!.Rlimits![0].Hard, parsed.Process!.Rlimits![0].Hard);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Serialize_RoundTrippedSpecValidatesWithARootfs(bool rootless)
    {
        using var bundle = new TempDir();
        string rootfs = bundle.Dir("rootfs");
        bundle.File("config.json", JsonSerializer.Serialize(DefaultSpec.Create(rootless), OciJson.Indented.Spec));

        var spec = SpecLoader.Load(bundle.Path);

        Assert.Equal(rootfs, SpecValidator.Validate(spec, bundle.Path));
    }

    [Fact]
    public void Create_WithoutARootfsFailsValidation()
    {
        using var bundle = new TempDir();

        Assert.Throws<RuntimeException>(() => SpecValidator.Validate(DefaultSpec.Create(false), bundle.Path));
    }

    [Fact]
    public void Create_DefaultMountOptionsParse()
    {
        var dev = DefaultSpec.Create(false).Mounts!.Single(m => m.Destination == "/dev");

        var o = MountOptions.Parse(dev.Options);

        Assert.Equal(Mounts.MS_NOSUID | Mounts.MS_STRICTATIME, o.Flags);
        Assert.Equal("mode=755,size=65536k", o.Data);
    }

    [Fact]
    public void Indented_WritesNewlinesAndDefaultDoesNot()
    {
        var spec = DefaultSpec.Create(false);

        Assert.Contains('\n', JsonSerializer.Serialize(spec, OciJson.Indented.Spec));
        Assert.DoesNotContain('\n', JsonSerializer.Serialize(spec, OciJson.Default.Spec));
    }
}
