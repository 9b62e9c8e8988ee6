using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests.Conformance;

/// <summary>
/// config.md "mounts": type, source, options (flags and filesystem data) and their order, as the
/// container's /proc/self/mountinfo and stat show them. Bind sources, ro/rw bind writes, rbind and
/// missing destinations are in RootfsTests.
/// </summary>
public sealed class MountsConformanceTests : ConformanceTest
{
    [NotOnRuncFact("runc 1.1 gives the tmpfs root the mode of the directory it covers, not mode=")]
    public void Tmpfs_FlagsSizeAndMode_AreTheMountsOwn()
    {
        var bundle = Env.NewBundle()
            .AddMount("/mnt", "tmpfs", "it-tmpfs", "nosuid", "nodev", "noexec", "size=1m", "mode=0710")
            .Shell("cat /proc/self/mountinfo; stat -c mode=%a /mnt");

        var r = RunOk(bundle);

        var m = TopMount(r, "/mnt");
        Assert.Equal("tmpfs", m.FsType);
        Assert.Subset(m.MountOptions.ToHashSet(), new HashSet<string> { "rw", "nosuid", "nodev", "noexec" });
        Assert.Contains("size=1024k", m.SuperOptions);
        Assert.Contains("mode=710", m.SuperOptions);
        Assert.Equal("mode=710", r.StdoutLines[^1]);
    }

    [Fact]
    public void BindMount_ReadOnlyAndSecurityFlags_AreOnTheBindMount()
    {
        var src = Env.NewDir("bindsrc");
        File.WriteAllText(Path.Combine(src, "f"), "x");
        var bundle = Env.NewBundle()
            .AddMount("/mnt", "bind", src, "rbind", "ro", "nosuid", "nodev", "noexec")
            .Shell("cat /proc/self/mountinfo");

        var r = RunOk(bundle);

        Assert.Subset(TopMount(r, "/mnt").MountOptions.ToHashSet(), new HashSet<string> { "ro", "nosuid", "nodev", "noexec" });
    }

    [Fact]
    public void Mounts_AreMountedInOrder_TheLaterOneOnTop()
    {
        var bundle = Env.NewBundle()
            .AddMount("/mnt", "tmpfs", "it-first", "size=1m")
            .AddMount("/mnt/inner", "tmpfs", "it-inner", "size=3m")
            .AddMount("/mnt", "tmpfs", "it-second", "size=2m")
            .Shell("cat /proc/self/mountinfo; ls /mnt | wc -l");

        var r = RunOk(bundle);

        Assert.Contains("size=2048k", TopMount(r, "/mnt").SuperOptions);
        Assert.Contains("size=3072k", TopMount(r, "/mnt/inner").SuperOptions);
        Assert.Equal("0", r.StdoutLines[^1]); // the later tmpfs hides the first one and its inner mount
    }

    [Fact]
    public void AtimeOptions_AreApplied()
    {
        var bundle = Env.NewBundle()
            .AddMount("/mnt", "tmpfs", "it-atime", "noatime")
            .AddMount("/tmp", "tmpfs", "it-strict", "strictatime")
            .Shell("cat /proc/self/mountinfo");

        var r = RunOk(bundle);

        Assert.Contains("noatime", TopMount(r, "/mnt").MountOptions);
        Assert.DoesNotContain(TopMount(r, "/tmp").MountOptions, o => o.EndsWith("atime", StringComparison.Ordinal));
    }
}
