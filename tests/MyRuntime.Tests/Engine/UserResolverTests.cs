using MyRuntime.Engine;
using MyRuntime.Engine.Bundle;

namespace MyRuntime.Tests.Engine;

public class UserResolverTests
{
    private const string Passwd =
        "root:x:0:0:root:/root:/bin/sh\n" +
        "# a comment\n" +
        "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n" +
        "www:x:33:33:www-data:/var/www:/bin/false\n" +
        "alice:x:1000:1000::/home/alice:/bin/sh\n" +
        "broken:x:notanumber:1::/:/bin/sh\n";

    private const string Group =
        "root:x:0:\n" +
        "wheel:x:10:root,alice\n" +
        "www:x:33:\n" +
        "alice:x:1000:\n" +
        "audio:x:29:alice\n" +
        "video:x:44:bob, alice\n" +
        "staff:x:50:\n";

    [Theory]
    [InlineData(null, 0u, 0u)]
    [InlineData("", 0u, 0u)]
    [InlineData("root", 0u, 0u)]
    [InlineData("0", 0u, 0u)]
    [InlineData("www", 33u, 33u)]
    [InlineData("33", 33u, 33u)]
    [InlineData("alice", 1000u, 1000u)]
    [InlineData("4242", 4242u, 0u)]
    [InlineData("4242:4343", 4242u, 4343u)]
    [InlineData("alice:staff", 1000u, 50u)]
    [InlineData("alice:77", 1000u, 77u)]
    [InlineData("1000:www", 1000u, 33u)]
    [InlineData("5000:staff", 5000u, 50u)]
    public void Resolve_GivesUidAndGid(string? spec, uint uid, uint gid)
    {
        var user = UserResolver.Resolve(spec, Passwd, Group);
        Assert.Equal(uid, user.Uid);
        Assert.Equal(gid, user.Gid);
    }

    [Fact]
    public void Resolve_UserWithoutGroupGetsItsMemberships()
    {
        Assert.Equal([10u, 29u, 44u], UserResolver.Resolve("alice", Passwd, Group).AdditionalGids);
        Assert.Equal([10u, 29u, 44u], UserResolver.Resolve("1000", Passwd, Group).AdditionalGids);
        Assert.Equal([10u], UserResolver.Resolve(null, Passwd, Group).AdditionalGids);
        Assert.Equal("alice", UserResolver.Resolve("1000", Passwd, Group).Username);
    }

    [Fact]
    public void Resolve_ExplicitGroupOrUnknownUidHasNoSupplementaryGroups()
    {
        Assert.Empty(UserResolver.Resolve("alice:staff", Passwd, Group).AdditionalGids);
        Assert.Empty(UserResolver.Resolve("4242", Passwd, Group).AdditionalGids);
        Assert.Null(UserResolver.Resolve("4242", Passwd, Group).Username);
    }

    [Fact]
    public void Resolve_NumericIdsNeedNoFiles()
    {
        var user = UserResolver.Resolve("1:2", "", "");
        Assert.Equal(1u, user.Uid);
        Assert.Equal(2u, user.Gid);
        Assert.Equal(0u, UserResolver.Resolve(null, "", "").Uid);
    }

    [Theory]
    [InlineData("bob", "user bob")]
    [InlineData("alice:nogroup", "group nogroup")]
    [InlineData("broken", "bad ids")]
    [InlineData(":", "invalid user")]
    [InlineData("alice:", "invalid user")]
    [InlineData(":10", "invalid user")]
    [InlineData("a:b:c", "invalid user")]
    [InlineData("-1", "user -1")]
    [InlineData("4294967295", "user 4294967295")]
    public void Resolve_RejectsUnknownOrMalformed(string spec, string fragment)
    {
        var e = Assert.Throws<EngineException>(() => UserResolver.Resolve(spec, Passwd, Group));
        Assert.Contains(fragment, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Resolve_ReadsTheRootfsFiles()
    {
        using var dir = new TempDir();
        dir.File("etc/passwd", Passwd);
        dir.File("etc/group", Group);
        var user = UserResolver.Resolve("www", dir.Path);
        Assert.Equal(33u, user.Uid);
        Assert.Equal(33u, user.Gid);
        Assert.Equal([10u, 29u, 44u], UserResolver.Resolve("alice", dir.Path).AdditionalGids);
    }

    [Fact]
    public void Resolve_RootfsWithoutFilesTakesOnlyNumbers()
    {
        using var dir = new TempDir();
        Assert.Equal(7u, UserResolver.Resolve("7", dir.Path).Uid);
        Assert.Throws<EngineException>(() => UserResolver.Resolve("root", dir.Path));
    }
}
