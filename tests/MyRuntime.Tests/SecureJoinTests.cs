using MyRuntime.Runtime;
using MyRuntime.Runtime.Rootfs;

namespace MyRuntime.Tests;

public sealed class SecureJoinTests : IDisposable
{
    private readonly TempDir tmp = new();
    private readonly string root;

    public SecureJoinTests()
    {
        root = tmp.Dir("rootfs");
        tmp.Dir("rootfs/etc");
        tmp.File("rootfs/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
        tmp.Dir("rootfs/usr/lib");
    }

    public void Dispose() => tmp.Dispose();

    [Fact]
    public void Join_PlainPathIsAppended()
    {
        Assert.Equal(root + "/etc/passwd", SecureJoin.Join(root, "/etc/passwd"));
    }

    [Fact]
    public void Join_RelativeAndAbsoluteUnsafePathsAreTheSame()
    {
        Assert.Equal(SecureJoin.Join(root, "/usr/lib"), SecureJoin.Join(root, "usr/lib"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("/../..")]
    public void Join_OfNothingIsTheRoot(string path)
    {
        Assert.Equal(root, SecureJoin.Join(root, path));
    }

    [Fact]
    public void Join_IgnoresATrailingSlashOnTheRoot()
    {
        Assert.Equal(root + "/etc", SecureJoin.Join(root + "/", "/etc"));
    }

    [Fact]
    public void Join_DropsDotAndEmptyComponents()
    {
        Assert.Equal(root + "/usr/lib", SecureJoin.Join(root, "//usr/./lib/"));
    }

    [Fact]
    public void Join_DotDotCannotClimbAboveTheRoot()
    {
        Assert.Equal(root + "/etc/passwd", SecureJoin.Join(root, "../../../etc/passwd"));
        Assert.Equal(root + "/etc", SecureJoin.Join(root, "/usr/../../../../etc"));
    }

    [Fact]
    public void Join_DotDotInsideTheRootGoesUpOneLevel()
    {
        Assert.Equal(root + "/usr/share", SecureJoin.Join(root, "/usr/lib/../share"));
    }

    [Fact]
    public void Join_NonexistentComponentsAreKept()
    {
        Assert.Equal(root + "/no/such/dir", SecureJoin.Join(root, "/no/such/dir"));
    }

    [Fact]
    public void Join_AbsoluteSymlinkIsResolvedInsideTheRoot()
    {
        tmp.Symlink("rootfs/link", "/etc");

        Assert.Equal(root + "/etc/passwd", SecureJoin.Join(root, "/link/passwd"));
    }

    [Fact]
    public void Join_AbsoluteSymlinkToAHostOnlyPathStaysInsideTheRoot()
    {
        // /proc/self/cwd exists on the host; inside the root it must not be reached.
        tmp.Symlink("rootfs/escape", "/proc/self/cwd");

        string joined = SecureJoin.Join(root, "/escape");

        Assert.Equal(root + "/proc/self/cwd", joined);
    }

    [Fact]
    public void Join_SymlinkWithDotDotsCannotEscape()
    {
        tmp.Symlink("rootfs/usr/lib/up", "../../../../../../etc");

        Assert.Equal(root + "/etc/passwd", SecureJoin.Join(root, "/usr/lib/up/passwd"));
    }

    [Fact]
    public void Join_RelativeSymlinkIsResolvedFromItsDirectory()
    {
        tmp.Dir("rootfs/usr/share");
        tmp.Symlink("rootfs/usr/lib/sibling", "../share");

        Assert.Equal(root + "/usr/share/x", SecureJoin.Join(root, "/usr/lib/sibling/x"));
    }

    [Fact]
    public void Join_FinalComponentSymlinkIsFollowed()
    {
        tmp.Symlink("rootfs/pw", "etc/passwd");

        Assert.Equal(root + "/etc/passwd", SecureJoin.Join(root, "/pw"));
    }

    [Fact]
    public void Join_ChainOfSymlinksIsFollowed()
    {
        tmp.Symlink("rootfs/a", "b");
        tmp.Symlink("rootfs/b", "/c");
        tmp.Symlink("rootfs/c", "etc");

        Assert.Equal(root + "/etc/passwd", SecureJoin.Join(root, "a/passwd"));
    }

    [Fact]
    public void Join_DanglingSymlinkResolvesToItsTargetInsideTheRoot()
    {
        tmp.Symlink("rootfs/dangling", "/var/run/missing");

        Assert.Equal(root + "/var/run/missing", SecureJoin.Join(root, "/dangling"));
    }

    [Fact]
    public void Join_SymlinkLoopThrows()
    {
        tmp.Symlink("rootfs/loop1", "loop2");
        tmp.Symlink("rootfs/loop2", "/loop1");

        var e = Assert.Throws<RuntimeException>(() => SecureJoin.Join(root, "/loop1/x"));

        Assert.Contains("too many levels of symbolic links", e.Message);
        Assert.Contains("/loop1/x", e.Message);
    }

    [Fact]
    public void Join_SelfReferencingSymlinkThrows()
    {
        tmp.Symlink("rootfs/self", "/self");

        Assert.Throws<RuntimeException>(() => SecureJoin.Join(root, "self"));
    }

    [Fact]
    public void Join_TheResultNeverLeavesTheRoot()
    {
        tmp.Symlink("rootfs/abs", "/");
        tmp.Symlink("rootfs/usr/lib/rel", "../..");
        tmp.Symlink("rootfs/usr/lib/deep", "../../../../../../../../tmp");

        foreach (string p in new[] { "abs/..", "abs/../..", "usr/lib/rel/..", "usr/lib/deep/../..", "/abs/abs/usr/lib/rel/../.." })
        {
            string joined = SecureJoin.Join(root, p);
            Assert.True(joined == root || joined.StartsWith(root + "/", StringComparison.Ordinal), $"{p} -> {joined}");
        }
    }
}
