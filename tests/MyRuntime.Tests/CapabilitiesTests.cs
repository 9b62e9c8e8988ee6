using MyRuntime.Linux;

namespace MyRuntime.Tests;

public class CapabilitiesTests
{
    [Theory]
    [InlineData("CAP_CHOWN", 0)]
    [InlineData("CAP_KILL", 5)]
    [InlineData("CAP_NET_BIND_SERVICE", 10)]
    [InlineData("CAP_SYS_ADMIN", 21)]
    [InlineData("cap_sys_admin", 21)]
    [InlineData("CAP_AUDIT_WRITE", 29)]
    [InlineData("CAP_CHECKPOINT_RESTORE", 40)]
    public void Parse_GivesTheCapabilityNumber(string name, int expected)
    {
        Assert.Equal(expected, Capabilities.Parse(name));
    }

    [Theory]
    [InlineData("SYS_ADMIN")]
    [InlineData("CAP_FOO")]
    [InlineData("")]
    public void Parse_ReturnsMinusOneForUnknownNames(string name)
    {
        Assert.Equal(-1, Capabilities.Parse(name));
    }

    [Fact]
    public void Mask_SetsOneBitPerCapability()
    {
        ulong mask = Capabilities.Mask(["CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN"], 40);

        Assert.Equal((1UL << 0) | (1UL << 5) | (1UL << 21), mask);
    }

    [Fact]
    public void Mask_OfNullOrEmptyIsZero()
    {
        Assert.Equal(0UL, Capabilities.Mask(null, 40));
        Assert.Equal(0UL, Capabilities.Mask([], 40));
    }

    [Fact]
    public void Mask_LeavesOutCapabilitiesAboveLastCap()
    {
        ulong mask = Capabilities.Mask(["CAP_KILL", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"], 38);

        Assert.Equal(1UL << 5, mask);
    }

    [Fact]
    public void Mask_ThrowsForAnUnknownName()
    {
        var e = Assert.Throws<LinuxException>(() => Capabilities.Mask(["CAP_KILL", "CAP_NOPE"], 40));

        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Contains("unknown capability CAP_NOPE", e.Message);
    }

    [Fact]
    public void LastCap_IsAPlausibleCapabilityNumber()
    {
        int last = Capabilities.LastCap();

        Assert.InRange(last, 30, 63);
    }
}

public class LimitsTests
{
    [Theory]
    [InlineData("RLIMIT_CPU", 0)]
    [InlineData("RLIMIT_CORE", 4)]
    [InlineData("RLIMIT_NPROC", 6)]
    [InlineData("RLIMIT_NOFILE", 7)]
    [InlineData("rlimit_nofile", 7)]
    [InlineData("RLIMIT_AS", 9)]
    [InlineData("RLIMIT_RTTIME", 15)]
    public void Parse_GivesTheResourceNumber(string name, int expected)
    {
        Assert.Equal(expected, Limits.Parse(name));
    }

    [Theory]
    [InlineData("NOFILE")]
    [InlineData("RLIMIT_FOO")]
    [InlineData("")]
    public void Parse_ReturnsMinusOneForUnknownNames(string name)
    {
        Assert.Equal(-1, Limits.Parse(name));
    }
}
