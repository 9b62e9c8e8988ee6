using System.Globalization;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>1. What a foreground <c>run</c> shows: PID 1, hostname, uid, the rootfs, cwd/env/args.</summary>
public sealed class RunOutputTests : IntegrationTest
{
    [Theory]
    [InlineData(0u)]
    [InlineData(1000u)]
    public void Run_ShowsPid1_ConfiguredHostnameAndUid_AndExactlyTheRootfs(uint uid)
    {
        var bundle = Env.NewBundle().User(uid, uid).Shell("echo $$; hostname; id -u; echo ==ls; ls -1A /").Save();
        var id = Env.NewId();

        var r = Env.Runtime.Run("run", "--bundle", bundle.Dir, id);

        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.StdoutLines;
        Assert.True(lines.Count >= 4, r.ToString());
        Assert.Equal("1", lines[0]);
        Assert.Equal(bundle.Hostname, lines[1]);
        Assert.Equal(uid.ToString(CultureInfo.InvariantCulture), lines[2]);
        Assert.Equal("==ls", lines[3]);
        var listed = lines.Skip(4).Order(StringComparer.Ordinal).ToArray();
        var expected = Directory.EnumerateFileSystemEntries(bundle.RootfsPath)
            .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, listed);

        // run = create + start + wait + delete: nothing is left in --root.
        Assert.Empty(Env.StateEntries());
        Assert.NotEqual(0, Env.Run("state", id).ExitCode);
    }

    [Fact]
    public void Run_UsesConfiguredHostnameCwdEnvAndArgs()
    {
        var hostname = "it-host-" + TestEnv.RandomHex(3);
        var bundle = Env.NewBundle()
            .SetHostname(hostname)
            .Args("sh", "-c", "hostname; pwd; echo \"$IT_VAR\"; echo \"$0|$1\"", "zero", "one two")
            .AddEnv("IT_VAR=hello world");
        bundle.Process["cwd"] = "/etc";
        bundle.Save();

        var r = Env.Runtime.Run("run", "--bundle", bundle.Dir, Env.NewId());

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { hostname, "/etc", "hello world", "zero|one two" }, r.StdoutLines);
    }

    [Fact]
    public void Run_ReadonlyRoot_CannotBeWritten()
    {
        var name = "it-should-not-exist-" + TestEnv.RandomHex(4);
        var bundle = Env.NewBundle().Shell($"touch /{name}").Save();

        var r = Env.Runtime.Run("run", "--bundle", bundle.Dir, Env.NewId());

        Assert.True(r.ExitCode != 0, "writing to a read-only root must fail:\n" + r);
        Assert.False(File.Exists(Path.Combine(bundle.RootfsPath, name)));
    }

    [Fact]
    public void Run_StdinIsPassedToTheContainer()
    {
        var bundle = Env.NewBundle().Shell("read line; echo \"got:$line\"").Save();

        var r = Env.Runtime.Run(new[] { "run", "--bundle", bundle.Dir, Env.NewId() }, stdin: "ping\n");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { "got:ping" }, r.StdoutLines);
    }
}
