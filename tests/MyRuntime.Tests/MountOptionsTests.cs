using MyRuntime.Linux;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Rootfs;

namespace MyRuntime.Tests;

public class MountOptionsTests
{
    [Fact]
    public void Parse_OfNullIsEmpty()
    {
        var o = MountOptions.Parse(null);

        Assert.Equal(0UL, o.Flags);
        Assert.Empty(o.Propagation);
        Assert.Equal(string.Empty, o.Data);
        Assert.False(o.IsBind);
    }

    [Theory]
    [InlineData("ro", Mounts.MS_RDONLY)]
    [InlineData("nosuid", Mounts.MS_NOSUID)]
    [InlineData("nodev", Mounts.MS_NODEV)]
    [InlineData("noexec", Mounts.MS_NOEXEC)]
    [InlineData("sync", Mounts.MS_SYNCHRONOUS)]
    [InlineData("dirsync", Mounts.MS_DIRSYNC)]
    [InlineData("noatime", Mounts.MS_NOATIME)]
    [InlineData("nodiratime", Mounts.MS_NODIRATIME)]
    [InlineData("relatime", Mounts.MS_RELATIME)]
    [InlineData("strictatime", Mounts.MS_STRICTATIME)]
    [InlineData("lazytime", Mounts.MS_LAZYTIME)]
    [InlineData("nosymfollow", Mounts.MS_NOSYMFOLLOW)]
    [InlineData("remount", Mounts.MS_REMOUNT)]
    [InlineData("bind", Mounts.MS_BIND)]
    [InlineData("rbind", Mounts.MS_BIND | Mounts.MS_REC)]
    public void Parse_SetsTheFlagOfEachOption(string option, ulong flag)
    {
        var o = MountOptions.Parse([option]);

        Assert.Equal(flag, o.Flags);
        Assert.Equal(string.Empty, o.Data);
    }

    [Fact]
    public void Parse_CombinesFlags()
    {
        var o = MountOptions.Parse(["nosuid", "noexec", "nodev", "ro"]);

        Assert.Equal(Mounts.MS_NOSUID | Mounts.MS_NOEXEC | Mounts.MS_NODEV | Mounts.MS_RDONLY, o.Flags);
    }

    [Theory]
    [InlineData("ro", "rw", Mounts.MS_RDONLY)]
    [InlineData("nosuid", "suid", Mounts.MS_NOSUID)]
    [InlineData("nodev", "dev", Mounts.MS_NODEV)]
    [InlineData("noexec", "exec", Mounts.MS_NOEXEC)]
    [InlineData("noatime", "atime", Mounts.MS_NOATIME)]
    [InlineData("strictatime", "nostrictatime", Mounts.MS_STRICTATIME)]
    public void Parse_LaterOppositeOptionClearsTheFlag(string set, string clear, ulong flag)
    {
        Assert.Equal(0UL, MountOptions.Parse([set, clear]).Flags & flag);
        Assert.Equal(flag, MountOptions.Parse([clear, set]).Flags & flag);
    }

    [Fact]
    public void Parse_DefaultsSetsNothing()
    {
        Assert.Equal(0UL, MountOptions.Parse(["defaults"]).Flags);
    }

    [Fact]
    public void Parse_BindAndRbindAreBindMounts()
    {
        Assert.True(MountOptions.Parse(["bind"]).IsBind);
        Assert.True(MountOptions.Parse(["rbind", "ro"]).IsBind);
        Assert.False(MountOptions.Parse(["ro"]).IsBind);
    }

    [Fact]
    public void RemountFlags_DropBindRecAndRemount()
    {
        var o = MountOptions.Parse(["rbind", "ro", "nosuid", "remount"]);

        Assert.Equal(Mounts.MS_RDONLY | Mounts.MS_NOSUID, o.RemountFlags);
    }

    [Fact]
    public void Parse_CollectsPropagationInOrder()
    {
        var o = MountOptions.Parse(["rprivate", "bind", "shared", "runbindable"]);

        Assert.Equal(
            [Mounts.MS_PRIVATE | Mounts.MS_REC, Mounts.MS_SHARED, Mounts.MS_UNBINDABLE | Mounts.MS_REC],
            o.Propagation);
        Assert.Equal(Mounts.MS_BIND, o.Flags);
    }

    [Fact]
    public void Parse_PropagationOptionsDoNotTouchFlagsOrData()
    {
        var o = MountOptions.Parse(["slave", "rslave", "private", "unbindable", "rshared"]);

        Assert.Equal(0UL, o.Flags);
        Assert.Equal(string.Empty, o.Data);
        Assert.Equal(5, o.Propagation.Count);
    }

    [Fact]
    public void Parse_PutsUnknownOptionsInTheDataStringInOrder()
    {
        var o = MountOptions.Parse(["nosuid", "strictatime", "mode=755", "size=65536k"]);

        Assert.Equal("mode=755,size=65536k", o.Data);
        Assert.Equal(Mounts.MS_NOSUID | Mounts.MS_STRICTATIME, o.Flags);
    }

    [Fact]
    public void Parse_KeepsDevptsDataOptions()
    {
        var o = MountOptions.Parse(["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]);

        Assert.Equal("newinstance,ptmxmode=0666,mode=0620,gid=5", o.Data);
    }

    [Theory]
    [InlineData("tmpcopyup")]
    [InlineData("copy-symlink")]
    [InlineData("idmap")]
    [InlineData("ridmap")]
    [InlineData("X-mount.mkdir")]
    [InlineData("noswap")]
    [InlineData("rro")]
    public void Parse_IgnoresOptionsThatAreNotForTheKernel(string option)
    {
        var o = MountOptions.Parse([option, "size=1m"]);

        Assert.Equal("size=1m", o.Data);
        Assert.Equal(0UL, o.Flags);
        Assert.Empty(o.Propagation);
    }

    [Fact]
    public void Parse_IsCaseSensitiveLikeMount8()
    {
        var o = MountOptions.Parse(["RO"]);

        Assert.Equal(0UL, o.Flags);
        Assert.Equal("RO", o.Data);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void ParsePropagation_DefaultsToRslave(string? name)
    {
        Assert.Equal(Mounts.MS_SLAVE | Mounts.MS_REC, MountOptions.ParsePropagation(name));
    }

    [Theory]
    [InlineData("private", Mounts.MS_PRIVATE)]
    [InlineData("rprivate", Mounts.MS_PRIVATE | Mounts.MS_REC)]
    [InlineData("shared", Mounts.MS_SHARED)]
    [InlineData("rshared", Mounts.MS_SHARED | Mounts.MS_REC)]
    [InlineData("slave", Mounts.MS_SLAVE)]
    [InlineData("rslave", Mounts.MS_SLAVE | Mounts.MS_REC)]
    [InlineData("unbindable", Mounts.MS_UNBINDABLE)]
    [InlineData("runbindable", Mounts.MS_UNBINDABLE | Mounts.MS_REC)]
    public void ParsePropagation_KnowsEveryMode(string name, ulong expected)
    {
        Assert.Equal(expected, MountOptions.ParsePropagation(name));
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("ro")]
    [InlineData("RSLAVE")]
    public void ParsePropagation_ThrowsForAnUnknownMode(string name)
    {
        var e = Assert.Throws<RuntimeException>(() => MountOptions.ParsePropagation(name));

        Assert.Equal($"config.json: unknown rootfsPropagation '{name}'", e.Message);
    }
}
