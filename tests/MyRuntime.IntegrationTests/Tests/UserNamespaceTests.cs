using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>
/// 3. User namespace: container root maps to an unprivileged host uid.
/// These tests use a private rootfs copy under the test's 0755 temp dir, so the mapped
/// root (host uid 100000) can reach it wherever the repository is checked out.
/// </summary>
public sealed class UserNamespaceTests : IntegrationTest
{
    private const uint HostBase = 100000;
    private const uint Size = 65536;

    [Fact]
    public void ContainerRoot_IsHostUid100000()
    {
        var bundle = Env.NewBundle().UserNamespace(HostBase, Size).UsePrivateRootfs();
        var (_, pid) = Env.CreateAndStart(bundle, "sleep", "1000");

        Assert.True(HostProcess.IsAlive(pid));
        Assert.Equal(new[] { "100000", "100000", "100000", "100000" }, HostProcess.StatusField(pid, "Uid"));
        Assert.Equal(new[] { "100000", "100000", "100000", "100000" }, HostProcess.StatusField(pid, "Gid"));
        var uidMap = File.ReadAllText($"/proc/{pid}/uid_map").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new[] { "0", "100000", "65536" }, uidMap);
        Assert.NotEqual(HostProcess.Namespace(Environment.ProcessId, "user"), HostProcess.Namespace(pid, "user"));
    }

    [Fact]
    public void InsideTheContainer_IdIsZero()
    {
        var bundle = Env.NewBundle().UserNamespace(HostBase, Size).UsePrivateRootfs().Shell("id -u; id -g; cat /proc/self/uid_map").Save();

        var r = Env.Runtime.Run("run", "--bundle", bundle.Dir, Env.NewId());

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("0", r.StdoutLines[0]);
        Assert.Equal("0", r.StdoutLines[1]);
        Assert.Equal(new[] { "0", "100000", "65536" }, r.StdoutLines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void BindMountedHostRootFile_IsReadableButNotWritable()
    {
        var hostFile = Path.Combine(Env.TempDir, "host-file");
        File.WriteAllText(hostFile, "original\n");
        File.SetUnixFileMode(hostFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var statBefore = HostCommand.Run("stat", "-c", "%u:%g:%a:%s", hostFile).Stdout.Trim();
        Assert.Equal("0:0:644:9", statBefore);

        var bundle = Env.NewBundle().UserNamespace(HostBase, Size).UsePrivateRootfs();
        Directory.CreateDirectory(Path.Combine(bundle.RootfsPath, "mnt"));
        File.WriteAllText(Path.Combine(bundle.RootfsPath, "mnt", "f"), "");
        bundle.AddMount("/mnt/f", "bind", hostFile, "rbind", "rw")
            .Shell("cat /mnt/f; if echo x > /mnt/f; then echo WROTE; else echo DENIED; fi")
            .Save();

        var r = Env.Runtime.Run("run", "--bundle", bundle.Dir, Env.NewId());

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(new[] { "original", "DENIED" }, r.StdoutLines);
        Assert.Equal("original\n", File.ReadAllText(hostFile));
        Assert.Equal(statBefore, HostCommand.Run("stat", "-c", "%u:%g:%a:%s", hostFile).Stdout.Trim());
    }
}
