using MyRuntime.Linux;
using MyRuntime.Runtime.Config;

namespace MyRuntime.Tests;

public class ProcFsTests
{
    [Fact]
    public void Stat_OfTheCurrentProcessIsRunningWithAStartTime()
    {
        var stat = ProcFs.Stat(Environment.ProcessId);

        Assert.NotNull(stat);
        Assert.Contains(stat.Value.State, "RSD");
        Assert.True(stat.Value.StartTime > 0);
    }

    [Fact]
    public void Stat_OfTheSameProcessTwiceGivesTheSameStartTime()
    {
        var a = ProcFs.Stat(Environment.ProcessId);
        var b = ProcFs.Stat(Environment.ProcessId);

        Assert.Equal(a!.Value.StartTime, b!.Value.StartTime);
    }

    [Fact]
    public void Stat_OfAPidThatDoesNotExistIsNull()
    {
        // pid_max is at most 2^22, so this pid cannot exist.
        Assert.Null(ProcFs.Stat(int.MaxValue));
    }

    [Fact]
    public void CommandLine_OfTheCurrentProcessIsNonEmptyWithSpacesForNuls()
    {
        string cmdline = ProcFs.CommandLine(Environment.ProcessId);

        Assert.False(string.IsNullOrEmpty(cmdline));
        Assert.DoesNotContain('\0', cmdline);
    }

    [Fact]
    public void CommandLine_OfAMissingProcessIsEmpty()
    {
        Assert.Equal(string.Empty, ProcFs.CommandLine(int.MaxValue));
    }

    [Fact]
    public void PidsInNamespace_IncludesTheCurrentProcess()
    {
        ulong ns = Namespaces.Inode("/proc/self/ns/pid");

        Assert.Contains(Environment.ProcessId, ProcFs.PidsInNamespace("pid", ns));
    }
}

public class NamespacesTests
{
    [Fact]
    public void Inode_OfOwnPidNamespaceIsPositive()
    {
        Assert.True(Namespaces.Inode("/proc/self/ns/pid") > 0);
    }

    [Fact]
    public void Inode_IsTheSameThroughSelfAndThroughThePid()
    {
        Assert.Equal(Namespaces.Inode("/proc/self/ns/mnt"), Namespaces.Inode($"/proc/{Environment.ProcessId}/ns/mnt"));
    }

    [Fact]
    public void Inode_OfAPathThatIsNoNamespaceIsZero()
    {
        using var dir = new TempDir();
        string file = dir.File("plain");
        string link = dir.Symlink("link", "not-a-namespace");

        Assert.Equal(0UL, Namespaces.Inode(file));
        Assert.Equal(0UL, Namespaces.Inode(link));
        Assert.Equal(0UL, Namespaces.Inode(dir["missing"]));
    }

    [Theory]
    [InlineData(Namespaces.CLONE_NEWNS, "mnt")]
    [InlineData(Namespaces.CLONE_NEWPID, "pid")]
    [InlineData(Namespaces.CLONE_NEWNET, "net")]
    [InlineData(Namespaces.CLONE_NEWUSER, "user")]
    [InlineData(Namespaces.CLONE_NEWCGROUP, "cgroup")]
    public void ProcName_NamesTheProcNsEntry(int flag, string expected)
    {
        Assert.Equal(expected, Namespaces.ProcName(flag));
    }

    [Fact]
    public void ProcName_ThrowsForAFlagThatIsNoNamespace()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Namespaces.ProcName(0x1));
    }

    [Theory]
    [InlineData("pid", Namespaces.CLONE_NEWPID)]
    [InlineData("network", Namespaces.CLONE_NEWNET)]
    [InlineData("mount", Namespaces.CLONE_NEWNS)]
    [InlineData("ipc", Namespaces.CLONE_NEWIPC)]
    [InlineData("uts", Namespaces.CLONE_NEWUTS)]
    [InlineData("user", Namespaces.CLONE_NEWUSER)]
    [InlineData("cgroup", Namespaces.CLONE_NEWCGROUP)]
    public void NamespaceKinds_MapsSpecTypesToCloneFlags(string type, int flag)
    {
        Assert.Equal(flag, NamespaceKinds.Flag(type));
    }

    [Theory]
    [InlineData("net")]
    [InlineData("mnt")]
    [InlineData("PID")]
    [InlineData("")]
    public void NamespaceKinds_RejectsNamesTheSpecDoesNotUse(string type)
    {
        Assert.Null(NamespaceKinds.Flag(type));
    }

    /// <summary>Time namespaces cannot be made by clone() (the flag is in its exit-signal byte): not offered.</summary>
    [Fact]
    public void NamespaceKinds_TimeIsNotOffered()
    {
        Assert.Null(NamespaceKinds.Flag("time"));
        Assert.DoesNotContain(NamespaceKinds.All, k => k.Name == "time");
    }

    [Fact]
    public void NamespaceKinds_EveryFlagHasAProcName()
    {
        foreach (var (_, flag) in NamespaceKinds.All)
        {
            Assert.False(string.IsNullOrEmpty(Namespaces.ProcName(flag)));
        }
    }
}
