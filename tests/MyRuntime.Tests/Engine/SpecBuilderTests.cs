using MyRuntime.Engine;
using MyRuntime.Engine.Bundle;
using MyRuntime.Oci.ImageSpec;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Tests.Engine;

public sealed class SpecBuilderTests : IDisposable
{
    private const string Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private readonly TempDir _rootfs = new();

    private readonly Dictionary<string, HostDevice> _hostDevices = new()
    {
        ["/dev/fuse"] = new HostDevice("/dev/fuse", 'c', 10, 229, 0x1b6, 0, 0),
        ["/dev/sda"] = new HostDevice("/dev/sda", 'b', 8, 0, 0x1b0, 0, 6),
    };

    private readonly Dictionary<string, string> _hostEnv = new() { ["FROM_HOST"] = "yes" };

    public SpecBuilderTests()
    {
        _rootfs.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n");
        _rootfs.File("etc/group", "root:x:0:\nwheel:x:10:root\nnogroup:x:65534:\n");
    }

    public void Dispose() => _rootfs.Dispose();

    private BundleHost Host => new()
    {
        StatDevice = p => _hostDevices.GetValueOrDefault(p),
        ListDevices = () => [.. _hostDevices.Values],
        GetEnv = _hostEnv.GetValueOrDefault,
        LastCap = () => 40,
        BoundingSet = () => ulong.MaxValue,
    };

    private static ContainerConfig Image(string[]? entrypoint = null, string[]? cmd = null) => new()
    {
        Entrypoint = entrypoint is null ? null : [.. entrypoint],
        Cmd = cmd is null ? null : [.. cmd],
    };

    private Spec Build(RunOptions options, ContainerConfig? image = null) =>
        SpecBuilder.Build(image ?? Image(cmd: ["sh"]), options with { Id = Id }, _rootfs.Path, Host);

    [Theory]
    [InlineData(null, new[] { "sh" }, null, null, new[] { "sh" })]
    [InlineData(new[] { "/entry" }, new[] { "a" }, null, null, new[] { "/entry", "a" })]
    [InlineData(new[] { "/entry" }, new[] { "a" }, new[] { "b", "c" }, null, new[] { "/entry", "b", "c" })]
    [InlineData(new[] { "/entry" }, new[] { "a" }, null, "/other", new[] { "/other" })]
    [InlineData(new[] { "/entry" }, new[] { "a" }, new[] { "x" }, "/other", new[] { "/other", "x" })]
    [InlineData(new[] { "/entry" }, new[] { "a" }, new[] { "echo", "hi" }, "", new[] { "echo", "hi" })]
    [InlineData(null, null, new[] { "echo" }, null, new[] { "echo" })]
    [InlineData(null, new[] { "sh" }, new[] { "ls", "-l" }, null, new[] { "ls", "-l" })]
    public void Arguments_FollowDocker(string[]? entrypoint, string[]? cmd, string[]? command, string? entrypointFlag, string[] expected)
    {
        var spec = Build(new RunOptions { Command = command, Entrypoint = entrypointFlag }, Image(entrypoint, cmd));
        Assert.Equal(expected, spec.Process!.Args);
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(null, new[] { "sh" }, "")]
    [InlineData(new[] { "/entry" }, null, "")]
    public void Arguments_NoneIsAnError(string[]? entrypoint, string[]? cmd, string? entrypointFlag)
    {
        var e = Assert.Throws<EngineException>(() => Build(new RunOptions { Entrypoint = entrypointFlag }, Image(entrypoint, cmd)));
        Assert.Equal("no command specified", e.Message);
    }

    [Fact]
    public void Build_DefaultsAreDockers()
    {
        var spec = Build(new RunOptions());
        var process = spec.Process!;
        Assert.Equal(_rootfs.Path, spec.Root!.Path);
        Assert.False(spec.Root.Readonly);
        Assert.Equal("0123456789ab", spec.Hostname);
        Assert.False(process.Terminal);
        Assert.False(process.NoNewPrivileges);
        Assert.Null(process.Rlimits);
        Assert.Equal("/", process.Cwd);
        Assert.Equal(0u, process.User.Uid);
        Assert.Equal([10u], process.User.AdditionalGids);
        Assert.Equal(DockerCapabilities.Defaults, process.Capabilities!.Bounding);
        Assert.Equal(DockerCapabilities.Defaults, process.Capabilities.Effective);
        Assert.Equal(DockerCapabilities.Defaults, process.Capabilities.Permitted);
        Assert.Null(process.Capabilities.Inheritable);
        Assert.Null(process.Capabilities.Ambient);
        Assert.Equal(
            ["cgroup", "ipc", "mount", "network", "pid", "uts"],
            spec.Linux!.Namespaces!.Select(n => n.Type).Order());
        Assert.Contains("/proc/kcore", spec.Linux.MaskedPaths!);
        Assert.Contains("/sys/firmware", spec.Linux.MaskedPaths!);
        Assert.Equal(SpecBuilder.ReadonlyPaths, spec.Linux.ReadonlyPaths);
        Assert.Equal(
            ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"],
            spec.Mounts!.Select(m => m.Destination));
        Assert.Contains("size=65536k", spec.Mounts!.Single(m => m.Destination == "/dev/shm").Options!);
        Assert.Contains("ro", spec.Mounts!.Single(m => m.Destination == "/sys").Options!);
        Assert.Contains("ro", spec.Mounts!.Single(m => m.Destination == "/sys/fs/cgroup").Options!);
        var deny = Assert.Single(spec.Linux.Resources!.Devices!);
        Assert.False(deny.Allow);
        Assert.Null(spec.Linux.Resources.Memory);
        Assert.Null(spec.Linux.Resources.Cpu);
        Assert.Null(spec.Linux.Resources.Pids);
        Assert.Null(spec.Linux.Devices);
    }

    [Fact]
    public void Build_NeedsIdOrHostname()
    {
        Assert.Throws<EngineException>(() => SpecBuilder.Build(Image(cmd: ["sh"]), new RunOptions(), _rootfs.Path, Host));
        var spec = SpecBuilder.Build(Image(cmd: ["sh"]), new RunOptions { Hostname = "web" }, _rootfs.Path, Host);
        Assert.Equal("web", spec.Hostname);
    }

    [Fact]
    public void Build_TtyHostnameReadOnly()
    {
        var spec = Build(new RunOptions { Tty = true, Hostname = "box", ReadOnly = true });
        Assert.True(spec.Process!.Terminal);
        Assert.Equal("box", spec.Hostname);
        Assert.True(spec.Root!.Readonly);
        Assert.Contains("TERM=xterm", spec.Process.Env!);
        Assert.Contains("HOSTNAME=box", spec.Process.Env!);
    }

    [Fact]
    public void Env_ImageThenFilesThenFlags()
    {
        var image = Image(cmd: ["sh"]);
        image.Env = ["PATH=/custom", "A=image", "B=image"];
        var options = new RunOptions
        {
            EnvFileLines = ["# comment", "", "B=file", "C=file", "FROM_HOST"],
            Env = ["C=flag", "FROM_HOST", "NOT_ON_HOST", "D=x=y", "E="],
        };
        var env = Build(options, image).Process!.Env!;
        Assert.Equal(["PATH=/custom", "HOSTNAME=0123456789ab", "A=image", "B=file", "C=flag", "FROM_HOST=yes", "D=x=y", "E="], env);
    }

    [Fact]
    public void Env_PathDefaultWhenImageHasNone()
    {
        var env = Build(new RunOptions()).Process!.Env!;
        Assert.Equal(EnvironmentBuilder.DefaultPath, env[0]);
        Assert.DoesNotContain(env, e => e.StartsWith("TERM=", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("=x")]
    [InlineData("")]
    [InlineData("A B=c")]
    public void Env_RejectsBadKeys(string entry) =>
        Assert.Throws<EngineException>(() => Build(new RunOptions { Env = [entry] }));

    [Theory]
    [InlineData(null, null, "/")]
    [InlineData(null, "/app", "/app")]
    [InlineData(null, "app/", "/app")]
    [InlineData("/work//dir/", "/app", "/work/dir")]
    public void WorkingDir_FlagThenImageThenRoot(string? flag, string? image, string expected)
    {
        var config = Image(cmd: ["sh"]);
        config.WorkingDir = image;
        Assert.Equal(expected, Build(new RunOptions { WorkingDir = flag }, config).Process!.Cwd);
    }

    [Fact]
    public void WorkingDir_RelativeFlagIsAnError() =>
        Assert.Contains("absolute", Assert.Throws<EngineException>(() => Build(new RunOptions { WorkingDir = "rel" })).Message);

    [Fact]
    public void User_FlagOverridesImage()
    {
        var image = Image(cmd: ["sh"]);
        image.User = "nobody";
        var fromImage = Build(new RunOptions(), image).Process!.User;
        Assert.Equal(65534u, fromImage.Uid);
        Assert.Equal(65534u, fromImage.Gid);
        Assert.Null(fromImage.AdditionalGids);
        var fromFlag = Build(new RunOptions { User = "123:456" }, image).Process!.User;
        Assert.Equal(123u, fromFlag.Uid);
        Assert.Equal(456u, fromFlag.Gid);
        Assert.Throws<EngineException>(() => Build(new RunOptions { User = "ghost" }));
    }

    [Fact]
    public void Capabilities_AddAndDrop()
    {
        var caps = Build(new RunOptions { CapAdd = ["net_admin", "CAP_SYS_TIME"], CapDrop = ["chown", "CAP_KILL"] })
            .Process!.Capabilities!;
        Assert.Contains("CAP_NET_ADMIN", caps.Bounding!);
        Assert.Contains("CAP_SYS_TIME", caps.Effective!);
        Assert.DoesNotContain("CAP_CHOWN", caps.Permitted!);
        Assert.DoesNotContain("CAP_KILL", caps.Bounding!);
        Assert.Equal(DockerCapabilities.Defaults.Count, caps.Bounding!.Count);
    }

    [Fact]
    public void Capabilities_AllForms()
    {
        Assert.Equal(["CAP_NET_RAW"], Build(new RunOptions { CapDrop = ["ALL"], CapAdd = ["NET_RAW"] }).Process!.Capabilities!.Bounding);
        var all = Build(new RunOptions { CapAdd = ["all"], CapDrop = ["SYS_ADMIN"] }).Process!.Capabilities!.Bounding!;
        Assert.Equal(40, all.Count);
        Assert.DoesNotContain("CAP_SYS_ADMIN", all);
        Assert.Equal(41, Build(new RunOptions { Privileged = true }).Process!.Capabilities!.Effective!.Count);
        Assert.Contains("CAP_KILL", Build(new RunOptions { CapAdd = ["KILL"], CapDrop = ["KILL"] }).Process!.Capabilities!.Bounding!);
    }

    [Fact]
    public void Privileged_GrantsWhatTheBoundingSetHolds()
    {
        const int SysModule = 16;
        var host = Host with { BoundingSet = () => ulong.MaxValue & ~(1UL << SysModule) };
        var caps = SpecBuilder.Build(Image(cmd: ["sh"]), new RunOptions { Id = Id, Privileged = true }, _rootfs.Path, host).Process!.Capabilities!;
        Assert.Equal(40, caps.Permitted!.Count);
        Assert.DoesNotContain("CAP_SYS_MODULE", caps.Bounding!);
        Assert.Contains("CAP_SYS_ADMIN", caps.Effective!);
    }

    [Fact]
    public void PidHost_LeavesOutThePidNamespace_OtherModesAreRefused()
    {
        Assert.Contains(Build(new RunOptions()).Linux!.Namespaces!, n => n.Type == "pid");
        var host = Build(new RunOptions { PidMode = "host" }).Linux!.Namespaces!;
        Assert.DoesNotContain(host, n => n.Type == "pid");
        Assert.Contains(host, n => n.Type == "mount");
        Assert.Contains("--pid \"container:x\"", Assert.Throws<EngineException>(() => Build(new RunOptions { PidMode = "container:x" })).Message);
    }

    [Fact]
    public void Capabilities_UnknownIsAnError() =>
        Assert.Contains("NOT_A_CAP", Assert.Throws<EngineException>(() => Build(new RunOptions { CapAdd = ["NOT_A_CAP"] })).Message);

    [Fact]
    public void Privileged_OpensEverything()
    {
        var spec = Build(new RunOptions { Privileged = true, Devices = ["/dev/fuse:/dev/myfuse"] });
        Assert.Null(spec.Linux!.MaskedPaths);
        Assert.Null(spec.Linux.ReadonlyPaths);
        var allow = Assert.Single(spec.Linux.Resources!.Devices!);
        Assert.True(allow.Allow);
        Assert.Equal("rwm", allow.Access);
        Assert.Null(allow.Type);
        Assert.Equal(["/dev/myfuse", "/dev/fuse", "/dev/sda"], spec.Linux.Devices!.Select(d => d.Path));
        Assert.DoesNotContain("ro", spec.Mounts!.Single(m => m.Destination == "/sys").Options!);
        Assert.Contains("rw", spec.Mounts!.Single(m => m.Destination == "/sys/fs/cgroup").Options!);
    }

    [Fact]
    public void Devices_AddNodesAndAllowRules()
    {
        var spec = Build(new RunOptions { Devices = ["/dev/fuse", "/dev/sda:/dev/xvda:r"] });
        var devices = spec.Linux!.Devices!;
        Assert.Equal(["/dev/fuse", "/dev/xvda"], devices.Select(d => d.Path));
        Assert.Equal("b", devices[1].Type);
        Assert.Equal(8, devices[1].Major);
        Assert.Equal(6u, devices[1].Gid);
        var rules = spec.Linux.Resources!.Devices!;
        Assert.Equal(3, rules.Count);
        Assert.False(rules[0].Allow);
        Assert.Equal(("c", 10L, 229L, "rwm"), (rules[1].Type, rules[1].Major, rules[1].Minor, rules[1].Access));
        Assert.Equal(("b", 8L, 0L, "r"), (rules[2].Type, rules[2].Major, rules[2].Minor, rules[2].Access));
    }

    [Theory]
    [InlineData("/dev/fuse:rw", "/dev/fuse", "/dev/fuse", "rw")]
    [InlineData("/dev/fuse:/dev/f", "/dev/fuse", "/dev/f", "rwm")]
    [InlineData("/dev/fuse", "/dev/fuse", "/dev/fuse", "rwm")]
    [InlineData("/dev/fuse:/dev/f:m", "/dev/fuse", "/dev/f", "m")]
    public void DeviceFlags_Parse(string text, string host, string container, string permissions) =>
        Assert.Equal((host, container, permissions), DeviceFlags.Parse(text));

    [Theory]
    [InlineData("/dev/nothing")]
    [InlineData("dev/fuse")]
    [InlineData("/dev/fuse:rel")]
    [InlineData("/dev/fuse:/dev/f:rx")]
    [InlineData("/dev/fuse:/dev/f:rr")]
    [InlineData("/dev/fuse:/a:r:b")]
    public void Devices_BadFlagsAreErrors(string text) =>
        Assert.Throws<EngineException>(() => Build(new RunOptions { Devices = [text] }));

    [Fact]
    public void Mounts_BindsAndTmpfs()
    {
        var spec = Build(new RunOptions
        {
            Binds = ["/host/data:/data/sub:ro", "/host/x:/x"],
            Tmpfs = ["/run", "/cache:size=10m,exec", "/dev/shm:size=1g"],
        });
        var byDest = spec.Mounts!.ToDictionary(m => m.Destination);
        Assert.Equal(["rbind", "rprivate", "ro"], byDest["/data/sub"].Options);
        Assert.Equal("bind", byDest["/data/sub"].Type);
        Assert.Equal("/host/data", byDest["/data/sub"].Source);
        Assert.Equal(["rbind", "rprivate", "rw"], byDest["/x"].Options);
        Assert.Equal(["noexec", "nosuid", "nodev"], byDest["/run"].Options);
        Assert.Equal("tmpfs", byDest["/run"].Type);
        Assert.Equal(["nosuid", "nodev", "size=10m", "exec"], byDest["/cache"].Options);
        Assert.Contains("size=1g", byDest["/dev/shm"].Options!);
        Assert.Single(spec.Mounts!, m => m.Destination == "/dev/shm");
        var order = spec.Mounts!.Select(m => m.Destination).ToList();
        Assert.True(order.IndexOf("/x") < order.IndexOf("/data/sub")); // deeper mounts after shallower ones
        Assert.True(order.IndexOf("/run") < order.IndexOf("/data/sub"));
    }

    [Theory]
    [InlineData("/a")]
    [InlineData("rel:/a")]
    [InlineData("/a:rel")]
    [InlineData("/a:/b:rx")]
    [InlineData("/a:/b:ro:z")]
    [InlineData("/a:/")]
    [InlineData("/a:/b/../c")]
    [InlineData("volume:/data")]
    public void Mounts_BadBindsAreErrors(string text) =>
        Assert.Throws<EngineException>(() => Build(new RunOptions { Binds = [text] }));

    [Fact]
    public void Mounts_BadTmpfsAndDuplicatesAreErrors()
    {
        Assert.Throws<EngineException>(() => Build(new RunOptions { Tmpfs = ["rel"] }));
        Assert.Throws<EngineException>(() => Build(new RunOptions { Tmpfs = ["/"] }));
        Assert.Contains("duplicate", Assert.Throws<EngineException>(() =>
            Build(new RunOptions { Binds = ["/h:/d"], Tmpfs = ["/d/"] })).Message);
    }

    [Fact]
    public void Resources_MemoryCpuPids()
    {
        var r = Build(new RunOptions { Memory = "64m", Cpus = "1.5", CpuShares = 512, PidsLimit = 100 }).Linux!.Resources!;
        Assert.Equal(64L << 20, r.Memory!.Limit);
        Assert.Equal(128L << 20, r.Memory.Swap);
        Assert.Equal(150000L, r.Cpu!.Quota);
        Assert.Equal(100000UL, r.Cpu.Period);
        Assert.Equal(512UL, r.Cpu.Shares);
        Assert.Equal(100L, r.Pids!.Limit);
    }

    [Theory]
    [InlineData("64m", "100m", 100L << 20)]
    [InlineData("64m", "-1", -1L)]
    [InlineData("64m", "64m", 64L << 20)]
    public void Resources_Swap(string memory, string swap, long expected) =>
        Assert.Equal(expected, Build(new RunOptions { Memory = memory, MemorySwap = swap }).Linux!.Resources!.Memory!.Swap);

    [Fact]
    public void Resources_SharesAloneAndUnlimitedPids()
    {
        var r = Build(new RunOptions { CpuShares = 2048, PidsLimit = -1, Cpus = "0" }).Linux!.Resources!;
        Assert.Equal(2048UL, r.Cpu!.Shares);
        Assert.Null(r.Cpu.Quota);
        Assert.Null(r.Pids);
    }

    [Theory]
    [InlineData("1m", null, "minimum")]
    [InlineData("64m", "32m", "at least")]
    [InlineData(null, "128m", "needs --memory")]
    [InlineData("lots", null, "--memory")]
    [InlineData("64m", "x", "--memory-swap")]
    public void Resources_BadMemoryIsAnError(string? memory, string? swap, string fragment) =>
        Assert.Contains(fragment, Assert.Throws<EngineException>(() =>
            Build(new RunOptions { Memory = memory, MemorySwap = swap })).Message);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Build_PassesTheRuntimesValidation(bool privileged)
    {
        var spec = Build(new RunOptions
        {
            Privileged = privileged,
            User = "nobody",
            Tty = true,
            Binds = ["/tmp:/data:ro"],
            Tmpfs = ["/run"],
            Devices = ["/dev/fuse"],
            Memory = "1g",
            Cpus = "2",
            PidsLimit = 50,
            CapAdd = ["SYS_ADMIN"],
        });
        Assert.Equal(_rootfs.Path, MyRuntime.Runtime.Config.SpecValidator.Validate(spec, "/"));
    }

    [Fact]
    public void Build_FromImageConfig()
    {
        var config = new ImageConfig { Config = Image(entrypoint: ["/bin/echo"], cmd: ["hi"]) };
        var spec = SpecBuilder.Build(config, new RunOptions { Id = Id }, _rootfs.Path, Host);
        Assert.Equal(["/bin/echo", "hi"], spec.Process!.Args);
    }
}
