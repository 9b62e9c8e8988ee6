using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>
/// What the container's filesystem looks like: sysctls, --no-pivot, linux.devices, masked and
/// read-only paths, bind and tmpfs mounts, and the default /dev.
/// </summary>
public sealed class RootfsTests : IntegrationTest
{
    private ProcResult Run(Bundle bundle, params string[] extraArgs)
    {
        bundle.Save();
        var args = new List<string> { "run", "--bundle", bundle.Dir };
        args.AddRange(extraArgs);
        args.Add(Env.NewId());
        return Env.Runtime.Run(args);
    }

    private ProcResult RunOk(Bundle bundle, params string[] extraArgs)
    {
        var r = Run(bundle, extraArgs);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    private static string[] Entries(string dir) =>
        Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();

    // ---- linux.sysctl ----

    [Fact]
    public void Sysctl_IsSetInsideTheContainersNamespaces_NotOnTheHost()
    {
        var hostDomain = File.ReadAllText("/proc/sys/kernel/domainname").Trim();
        var hostForward = File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim();
        var domain = "it-" + TestEnv.RandomHex(3) + ".example";
        var bundle = Env.NewBundle().Shell("cat /proc/sys/kernel/domainname /proc/sys/net/ipv4/ip_forward");
        bundle.Linux["sysctl"] = new JsonObject
        {
            ["kernel.domainname"] = domain,
            ["net.ipv4.ip_forward"] = "1",
        };

        var r = RunOk(bundle);

        Assert.Equal(new[] { domain, "1" }, r.StdoutLines);
        Assert.Equal(hostDomain, File.ReadAllText("/proc/sys/kernel/domainname").Trim());
        Assert.Equal(hostForward, File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim());
    }

    // ---- --no-pivot ----

    [Fact]
    public void NoPivot_Run_SeesExactlyTheRootfs_ReadOnly()
    {
        var bundle = Env.NewBundle().Shell("ls -1A /; if touch /it-no-pivot 2>/dev/null; then echo WROTE; else echo RO; fi");

        var r = RunOk(bundle, "--no-pivot");

        var lines = r.StdoutLines.ToList();
        Assert.Equal("RO", lines[^1]);
        Assert.Equal(Entries(bundle.RootfsPath), lines.Take(lines.Count - 1).Order(StringComparer.Ordinal).ToArray());
        Assert.False(File.Exists(Path.Combine(bundle.RootfsPath, "it-no-pivot")));
    }

    [Fact]
    public void NoPivot_CreateStart_Works()
    {
        var id = Env.Create(Env.NewBundle().Args("sleep", "1000"), null, "--no-pivot");
        var pid = TestEnv.Pid(Env.State(id));

        Env.RunOk("start", id);

        Assert.Equal("running", Env.Status(id));
        Assert.True(HostProcess.IsAlive(pid));
        Assert.NotEqual(HostProcess.Namespace(Environment.ProcessId, "mnt"), HostProcess.Namespace(pid, "mnt"));
        var exec = Env.RunOk("exec", id, "cat", "/etc/hostname");
        Assert.Equal(File.ReadAllText(Path.Combine(TestSettings.ImageRootfs, "etc", "hostname")).Trim(), exec.Stdout.Trim());
    }

    // ---- linux.devices ----

    [Fact]
    public void Device_IsCreatedWithTypeNumbersAndMode_AndUsable()
    {
        var bundle = Env.NewBundle().Shell(
            "stat -c '%F %t:%T %a %u:%g' /dev/mynull; echo x > /dev/mynull && echo WRITE-OK; cat /dev/mynull; echo END");
        bundle.Linux["devices"] = new JsonArray(new JsonObject
        {
            ["type"] = "c",
            ["major"] = 1,
            ["minor"] = 3,
            ["path"] = "/dev/mynull",
            ["fileMode"] = 438, // 0666
            ["uid"] = 0,
            ["gid"] = 0,
        });

        var r = RunOk(bundle);

        Assert.Equal(new[] { "character special file 1:3 666 0:0", "WRITE-OK", "END" }, r.StdoutLines);
    }

    [Fact]
    public void Device_OwnerModeAndParentDirectory()
    {
        // Read as uid 1000, the owner: root without CAP_DAC_OVERRIDE could not read a 0640 node of 1000:5.
        var bundle = Env.NewBundle().User(1000, 1000).Shell("stat -c '%F %t:%T %a %u:%g' /dev/it/zero; head -c 3 /dev/it/zero | od -An -tx1");
        bundle.Linux["devices"] = new JsonArray(new JsonObject
        {
            ["type"] = "c",
            ["major"] = 1,
            ["minor"] = 5,
            ["path"] = "/dev/it/zero",
            ["fileMode"] = 416, // 0640
            ["uid"] = 1000,
            ["gid"] = 5,
        });

        var r = RunOk(bundle);

        Assert.Equal(new[] { "character special file 1:5 640 1000:5", "00 00 00" }, r.StdoutLines);
    }

    // ---- default /dev ----

    [Fact]
    public void DefaultDev_HasTheStandardEntriesOnly()
    {
        var bundle = Env.NewBundle().Shell(
            "ls -1A /dev; echo ==; stat -c '%n %F %t:%T %a' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty;"
            + " echo ==; for l in ptmx fd stdin stdout stderr; do echo \"$l -> $(readlink /dev/$l)\"; done");

        var r = RunOk(bundle);

        var lines = r.StdoutLines.ToList();
        var first = lines.IndexOf("==");
        var second = lines.LastIndexOf("==");
        Assert.True(first > 0 && second > first, r.ToString());

        Assert.Equal(
            new[] { "fd", "full", "mqueue", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero" },
            lines.Take(first).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(
            new[]
            {
                "/dev/null character special file 1:3 666",
                "/dev/zero character special file 1:5 666",
                "/dev/full character special file 1:7 666",
                "/dev/random character special file 1:8 666",
                "/dev/urandom character special file 1:9 666",
                "/dev/tty character special file 5:0 666",
            },
            lines.Skip(first + 1).Take(second - first - 1).ToArray());
        Assert.Equal(
            new[]
            {
                "ptmx -> pts/ptmx",
                "fd -> /proc/self/fd",
                "stdin -> /proc/self/fd/0",
                "stdout -> /proc/self/fd/1",
                "stderr -> /proc/self/fd/2",
            },
            lines.Skip(second + 1).ToArray());
    }

    [Fact]
    public void DefaultDev_DevicesBehave()
    {
        var bundle = Env.NewBundle().Shell(
            "echo x > /dev/null && echo null-ok; head -c 4 /dev/zero | wc -c; head -c 16 /dev/urandom | wc -c;"
            + " if echo x > /dev/full 2>/dev/null; then echo full-accepted; else echo full-ENOSPC; fi; ls /dev/fd/ | head -3");

        var r = RunOk(bundle);

        Assert.Equal(new[] { "null-ok", "4", "16", "full-ENOSPC", "0", "1", "2" }, r.StdoutLines);
    }

    // ---- maskedPaths / readonlyPaths ----

    [Fact]
    public void MaskedPaths_FileReadsEmpty_DirectoryListsNothing()
    {
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries("/sys/firmware")); // the host does have entries
        var bundle = Env.NewBundle().Shell(
            "echo \"timer_list=[$(cat /proc/timer_list)]\"; echo \"firmware=[$(ls -A /sys/firmware)]\"; echo \"home=[$(ls -A /home)]\"; echo \"passwd=[$(cat /etc/passwd)]\"");
        var masked = (JsonArray)bundle.Linux["maskedPaths"]!;
        masked.Add((JsonNode)JsonValue.Create("/home")); // a directory of the image (holds app/)
        masked.Add((JsonNode)JsonValue.Create("/etc/passwd")); // a file of the image
        masked.Add((JsonNode)JsonValue.Create("/proc/it-does-not-exist")); // missing paths are skipped

        var r = RunOk(bundle);

        Assert.Equal(new[] { "timer_list=[]", "firmware=[]", "home=[]", "passwd=[]" }, r.StdoutLines);
        Assert.NotEmpty(File.ReadAllText(Path.Combine(bundle.RootfsPath, "etc", "passwd")));
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(Path.Combine(bundle.RootfsPath, "home")));
    }

    [Fact]
    public void MaskedFile_CannotBeWrittenThrough()
    {
        var bundle = Env.NewBundle().Shell("if echo x > /proc/timer_list 2>/dev/null; then :; fi; cat /proc/timer_list; echo END");

        var r = RunOk(bundle);

        Assert.Equal(new[] { "END" }, r.StdoutLines);
    }

    [Fact]
    public void ReadonlyPaths_CannotBeWritten()
    {
        var bundle = Env.NewBundle().Shell(
            "echo it-host > /proc/sys/kernel/hostname; echo rc=$?; touch /dev/shm/x; echo rc=$?; hostname");
        ((JsonArray)bundle.Linux["readonlyPaths"]!).Add((JsonNode)JsonValue.Create("/dev/shm"));

        var r = RunOk(bundle);

        Assert.Equal(new[] { "rc=1", "rc=1", bundle.Hostname ?? "" }, r.StdoutLines);
        var errors = r.StderrLines;
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Contains("Read-only file system", e, StringComparison.Ordinal));
    }

    // ---- bind mounts ----

    [Fact]
    public void ReadOnlyBindMountedFile_CannotBeWritten_HostFileUnchanged()
    {
        var hostFile = Path.Combine(Env.TempDir, "host-hostname");
        File.WriteAllText(hostFile, "from-the-host\n");
        var bundle = Env.NewBundle()
            .AddMount("/etc/hostname", "bind", hostFile, "bind", "ro")
            .Shell("cat /etc/hostname; echo changed > /etc/hostname; echo rc=$?");

        var r = RunOk(bundle);

        Assert.Equal(new[] { "from-the-host", "rc=1" }, r.StdoutLines);
        Assert.Contains("Read-only file system", r.Stderr, StringComparison.Ordinal);
        Assert.Equal("from-the-host\n", File.ReadAllText(hostFile));
    }

    [Fact]
    public void ReadOnlyBindMountedDirectory_CannotBeWritten()
    {
        var hostDir = Env.NewDir("host-ro-dir");
        File.WriteAllText(Path.Combine(hostDir, "a"), "A\n");
        var bundle = Env.NewBundle()
            .AddMount("/mnt", "bind", hostDir, "rbind", "ro")
            .Shell("cat /mnt/a; touch /mnt/b; echo rc=$?; rm /mnt/a; echo rc=$?");

        var r = RunOk(bundle);

        Assert.Equal(new[] { "A", "rc=1", "rc=1" }, r.StdoutLines);
        Assert.Equal(new[] { "a" }, Entries(hostDir));
        Assert.Equal("A\n", File.ReadAllText(Path.Combine(hostDir, "a")));
    }

    [Fact]
    public void ReadWriteBindMountedDirectory_WritesReachTheHost()
    {
        var hostDir = Env.NewDir("host-rw-dir");
        var bundle = Env.NewBundle()
            .AddMount("/mnt", "bind", hostDir, "rbind", "rw")
            .Shell("echo written-inside > /mnt/new; echo rc=$?");

        var r = RunOk(bundle);

        Assert.Equal(new[] { "rc=0" }, r.StdoutLines);
        Assert.Equal("written-inside\n", File.ReadAllText(Path.Combine(hostDir, "new")));
    }

    [Theory]
    [InlineData("rbind", true)]
    [InlineData("bind", false)]
    public void BindMount_RbindCarriesSubmounts_BindDoesNot(string option, bool expectSubmount)
    {
        // The host's /dev has submounts (/dev/pts a devpts with its ptmx node); only rbind brings them along.
        Assert.Contains("/dev/pts", MountSnapshot.Take().MountPoints);
        var bundle = Env.NewBundle()
            .AddMount("/mnt", "bind", "/dev", option, "ro")
            .Shell("echo \"pts=[$(ls -A /mnt/pts | grep -x ptmx)]\"");

        var r = RunOk(bundle);

        Assert.Equal(new[] { expectSubmount ? "pts=[ptmx]" : "pts=[]" }, r.StdoutLines);
    }

    // ---- tmpfs at a new path ----

    [Fact]
    public void TmpfsAtAPathMissingFromTheImage_IsCreatedAndWritable()
    {
        var bundle = Env.NewBundle().UsePrivateRootfs()
            .AddMount("/data", "tmpfs", "tmpfs", "mode=0755", "size=1m")
            .AddMount("/srv/deep/er", "tmpfs", "tmpfs", "mode=0700")
            .Shell("echo hello > /data/x && cat /data/x; stat -c %a /srv/deep/er; touch /srv/deep/er/y && echo deep-ok; grep -c ' /data ' /proc/self/mountinfo");
        Assert.False(Directory.Exists(Path.Combine(bundle.RootfsPath, "data")));

        var r = RunOk(bundle);

        Assert.Equal(new[] { "hello", "700", "deep-ok", "1" }, r.StdoutLines);
        // The files went to the tmpfs, not to the rootfs under it.
        Assert.False(File.Exists(Path.Combine(bundle.RootfsPath, "data", "x")));
        Assert.False(File.Exists(Path.Combine(bundle.RootfsPath, "srv", "deep", "er", "y")));
    }
}
