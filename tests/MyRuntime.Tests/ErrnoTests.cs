using MyRuntime.Linux;

namespace MyRuntime.Tests;

public class ErrnoTests
{
    [Theory]
    [InlineData(Errno.EPERM, "operation not permitted (EPERM)")]
    [InlineData(Errno.ENOENT, "no such file or directory (ENOENT)")]
    [InlineData(Errno.EACCES, "permission denied (EACCES)")]
    [InlineData(Errno.EEXIST, "file exists (EEXIST)")]
    [InlineData(Errno.EINVAL, "invalid argument (EINVAL)")]
    [InlineData(Errno.ETXTBSY, "text file busy (ETXTBSY)")]
    [InlineData(Errno.ENOSYS, "function not implemented (ENOSYS)")]
    [InlineData(Errno.ELOOP, "too many levels of symbolic links (ELOOP)")]
    public void Describe_GivesTextAndName(int errno, string expected)
    {
        Assert.Equal(expected, Errno.Describe(errno));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(41)]
    [InlineData(1000)]
    public void Describe_FallsBackToTheNumberOutsideTheTable(int errno)
    {
        Assert.Equal($"errno {errno}", Errno.Describe(errno));
    }

    [Fact]
    public void LinuxException_MessageIsOperationColonTextAndName()
    {
        var e = new LinuxException("mount proc on /proc", Errno.EPERM);

        Assert.Equal("mount proc on /proc: operation not permitted (EPERM)", e.Message);
        Assert.Equal("mount proc on /proc", e.Operation);
        Assert.Equal(Errno.EPERM, e.Errno);
    }

    [Fact]
    public void LinuxException_FromAFailedSyscallCarriesItsErrno()
    {
        using var dir = new TempDir();

        var e = Assert.Throws<LinuxException>(() => Files.Mkdir(dir.Path, 0x1c0));

        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.Equal($"mkdir {dir.Path}: file exists (EEXIST)", e.Message);
    }
}
