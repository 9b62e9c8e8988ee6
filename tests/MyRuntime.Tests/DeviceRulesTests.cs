using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Cgroups;
using MyRuntime.Runtime.Cgroups.Devices;

namespace MyRuntime.Tests;

public class DeviceRulesTests
{
    private static LinuxDeviceCgroup Rule(bool allow, string? type = null, long? major = null, long? minor = null, string? access = "rwm") =>
        new() { Allow = allow, Type = type, Major = major, Minor = minor, Access = access };

    private static DeviceAllowlist Of(params LinuxDeviceCgroup[] rules) =>
        DeviceAllowlist.From(DeviceRules.WithDefaults(new LinuxResources { Devices = [.. rules] }, null)!.Devices!);

    [Fact]
    public void Normalize_FillsWildcardsAndDefaultAccess()
    {
        Assert.Equal(new DeviceRule(false, 'a', DeviceRule.Any, DeviceRule.Any, DeviceAccess.All), DeviceRules.Normalize(Rule(false), 0));
        Assert.Equal(new DeviceRule(true, 'b', 7, DeviceRule.Any, DeviceAccess.Read | DeviceAccess.Mknod), DeviceRules.Normalize(Rule(true, "b", 7, null, "mr"), 0));
        Assert.Equal(DeviceAccess.All, DeviceRules.Normalize(Rule(true, "c", 1, 3, null), 0).Access);
        Assert.Equal("c 1:3 rwm", DeviceRules.Normalize(Rule(true, "c", 1, 3), 0).CgroupLine());
        Assert.Equal("b *:* m", DeviceRules.Normalize(Rule(true, "b", access: "m"), 0).CgroupLine());
        Assert.Equal("a", DeviceRules.Normalize(Rule(true, "a", 3, 4, "r"), 0).CgroupLine());
    }

    [Theory]
    [InlineData("x", 1L, 3L, "rwm", "devices[0].type 'x'")]
    [InlineData("c", 1L, 3L, "rwx", "devices[0].access 'rwx'")]
    [InlineData("c", -1L, 3L, "rwm", "must not be negative")]
    [InlineData("b", 8L, -2L, "r", "must not be negative")]
    [InlineData("c", 1L, 4294967296L, "r", "out of range")]
    public void Validate_RejectsBadRules_WithTheirIndex(string type, long major, long minor, string access, string message)
    {
        var resources = new LinuxResources { Devices = [Rule(true, type, major, minor, access)] };

        var e = Assert.Throws<RuntimeException>(() => Cgroup.Validate(resources));

        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Validate_RejectsHolesInWildcardExceptions_AsV1Would()
    {
        // The default "allow c 1:3 rwm" cannot take access out of "deny c *:* rwm" on a v1 device cgroup.
        var e = Assert.Throws<RuntimeException>(() => Cgroup.Validate(new LinuxResources { Devices = [Rule(false, "c")] }));
        Assert.Contains("cannot narrow the earlier 'deny c *:*", e.Message);

        Cgroup.Validate(new LinuxResources { Devices = [Rule(false), Rule(true, "b", 7), Rule(false, "b", 7, null, "w")] });
        var hole = Assert.Throws<RuntimeException>(() => Cgroup.Validate(new LinuxResources { Devices = [Rule(false), Rule(true, "b", 7), Rule(false, "b", 7, 0, "w")] }));
        Assert.Contains("cannot narrow", hole.Message);
    }

    [Fact]
    public void Effective_IsTheSpecRules_ThenTheDefaults_ThenTheCreatedNodes()
    {
        var created = new List<Device> { new() { Type = "b", Path = "/dev/loop0", Major = 7, Minor = 0 }, new() { Type = "p", Path = "/dev/fifo" } };

        var rules = DeviceRules.Effective([Rule(false)], created)!;

        Assert.Equal(new DeviceRule(false, 'a', DeviceRule.Any, DeviceRule.Any, DeviceAccess.All), rules[0]);
        Assert.Equal(DeviceRules.Defaults, rules.Skip(1).Take(DeviceRules.Defaults.Count));
        Assert.Equal(new DeviceRule(true, 'b', 7, 0, DeviceAccess.All), Assert.Single(rules.Skip(1 + DeviceRules.Defaults.Count)));
        Assert.Null(DeviceRules.Effective(null, created));
    }

    [Fact]
    public void WithDefaults_CopiesTheResources_AndLeavesTheSpecAlone()
    {
        var memory = new LinuxMemory { Limit = 1 << 20 };
        var spec = new LinuxResources { Memory = memory, Devices = [Rule(false)] };

        var applied = DeviceRules.WithDefaults(spec, null)!;

        Assert.Single(spec.Devices);
        Assert.Equal(1 + DeviceRules.Defaults.Count, applied.Devices!.Count);
        Assert.Same(memory, applied.Memory);
        var none = new LinuxResources { Memory = memory };
        Assert.Same(none, DeviceRules.WithDefaults(none, null));
    }

    [Fact]
    public void DenyAll_ThenDefaults_AllowsOnlyTheDefaultNodes_AndMknodOfAny()
    {
        var list = Of(Rule(false));

        Assert.False(list.DefaultAllow);
        Assert.True(list.Allows('c', 1, 3, DeviceAccess.Read | DeviceAccess.Write));
        Assert.True(list.Allows('c', 136, 5, DeviceAccess.Read));
        Assert.True(list.Allows('b', 8, 0, DeviceAccess.Mknod));
        Assert.False(list.Allows('b', 8, 0, DeviceAccess.Read));
        Assert.False(list.Allows('c', 10, 200, DeviceAccess.Write));
        Assert.False(list.Allows('c', 1, 3, DeviceAccess.All) && list.Allows('c', 1, 1, DeviceAccess.Read));
    }

    [Fact]
    public void LaterRules_OverrideEarlierOnes()
    {
        var list = Of(Rule(false), Rule(true, "b", 7, null, "rw"), Rule(false, "b", 7, null, "w"));

        Assert.True(list.Allows('b', 7, 3, DeviceAccess.Read));
        Assert.False(list.Allows('b', 7, 3, DeviceAccess.Write));
        Assert.False(list.Allows('b', 7, 3, DeviceAccess.Read | DeviceAccess.Write));

        var reset = Of(Rule(true, "b", 7), Rule(false));
        Assert.False(reset.Allows('b', 7, 3, DeviceAccess.Read));

        var allowAll = Of(Rule(false), Rule(true));
        Assert.True(allowAll.DefaultAllow);
        Assert.Empty(allowAll.Exceptions);
    }

    [Fact]
    public void AllowByDefault_DenyRules_RefuseAnyPartOfTheirAccess()
    {
        var list = Of(Rule(false, "b", 8, null, "w"));

        Assert.True(list.DefaultAllow);
        Assert.True(list.Allows('b', 8, 0, DeviceAccess.Read));
        Assert.False(list.Allows('b', 8, 0, DeviceAccess.Read | DeviceAccess.Write));
        Assert.True(list.Allows('b', 9, 0, DeviceAccess.All));
    }

    [Fact]
    public void ParseList_ReadsV1DevicesList()
    {
        Assert.True(DeviceAllowlist.ParseList("a *:* rwm\n").DefaultAllow);

        var list = DeviceAllowlist.ParseList("c *:* m\nb *:* m\nc 1:3 rwm\nc 136:* rwm\n");

        Assert.False(list.DefaultAllow);
        Assert.True(list.Allows('c', 136, 2, DeviceAccess.Write));
        Assert.False(list.Allows('c', 137, 2, DeviceAccess.Write));
        LinuxDeviceCgroup[] same = [Rule(false), Rule(true, "c", access: "m"), Rule(true, "b", access: "m"), Rule(true, "c", 1, 3), Rule(true, "c", 136)];
        Assert.True(list.SameAs(DeviceAllowlist.From(same)));
        Assert.False(list.SameAs(DeviceAllowlist.From([.. same, Rule(true, "c", 1, 5)])));
        Assert.True(list.SameAs(DeviceAllowlist.From([.. same, Rule(true, "c", 1, 3, "rw")])));
        Assert.Throws<RuntimeException>(() => DeviceAllowlist.ParseList("c 1 rwm"));
    }
}
