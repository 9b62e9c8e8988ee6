using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Config;

namespace MyRuntime.Tests;

public sealed class SpecValidatorTests : IDisposable
{
    private readonly TempDir bundle = new();

    public SpecValidatorTests()
    {
        bundle.Dir("rootfs");
    }

    public void Dispose() => bundle.Dispose();

    /// <summary>A minimal spec that passes validation; each test breaks one thing.</summary>
    private static Spec Good() => new()
    {
        OciVersion = SpecVersion.Current,
        Root = new Root { Path = "rootfs" },
        Process = new Process { Args = ["/bin/sh"], Cwd = "/" },
        Linux = new LinuxSection
        {
            Namespaces = [new Namespace { Type = "pid" }, new Namespace { Type = "mount" }],
        },
    };

    private string Fails(Spec spec) =>
        Assert.Throws<RuntimeException>(() => SpecValidator.Validate(spec, bundle.Path)).Message;

    [Fact]
    public void Validate_GoodSpecReturnsTheAbsoluteRootfs()
    {
        Assert.Equal(bundle["rootfs"], SpecValidator.Validate(Good(), bundle.Path));
    }

    [Fact]
    public void Validate_AbsoluteRootPathIsUsedAsIs()
    {
        var spec = Good();
        spec.Root!.Path = bundle["rootfs"];

        Assert.Equal(bundle["rootfs"], SpecValidator.Validate(spec, "/nonexistent-bundle"));
    }

    [Fact]
    public void Validate_RootPathIsNormalized()
    {
        var spec = Good();
        spec.Root!.Path = "./sub/../rootfs";

        Assert.Equal(bundle["rootfs"], SpecValidator.Validate(spec, bundle.Path));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Validate_MissingOciVersion(string? version)
    {
        var spec = Good();
        spec.OciVersion = version;

        Assert.Equal("config.json: ociVersion is missing", Fails(spec));
    }

    [Fact]
    public void Validate_MissingRoot()
    {
        var spec = Good();
        spec.Root = null;

        Assert.Equal("config.json: root.path is missing", Fails(spec));
    }

    [Fact]
    public void Validate_EmptyRootPath()
    {
        var spec = Good();
        spec.Root!.Path = "";

        Assert.Equal("config.json: root.path is missing", Fails(spec));
    }

    [Fact]
    public void Validate_MissingRootfsDirectory()
    {
        var spec = Good();
        spec.Root!.Path = "nope";

        Assert.Equal($"rootfs {bundle["nope"]} does not exist", Fails(spec));
    }

    [Fact]
    public void Validate_RootfsThatIsAFile()
    {
        bundle.File("file");
        var spec = Good();
        spec.Root!.Path = "file";

        Assert.Contains("does not exist", Fails(spec));
    }

    [Fact]
    public void Validate_MissingProcess()
    {
        var spec = Good();
        spec.Process = null;

        Assert.Equal("config.json: process is missing", Fails(spec));
    }

    [Fact]
    public void Validate_UnknownNamespaceType()
    {
        var spec = Good();
        spec.Linux!.Namespaces!.Add(new Namespace { Type = "bogus" });

        Assert.Equal("config.json: unknown namespace type 'bogus'", Fails(spec));
    }

    [Fact]
    public void Validate_DuplicateNamespace()
    {
        var spec = Good();
        spec.Linux!.Namespaces!.Add(new Namespace { Type = "pid" });

        Assert.Equal("config.json: namespace 'pid' is listed twice", Fails(spec));
    }

    [Fact]
    public void Validate_NamespacePathThatDoesNotExist()
    {
        var spec = Good();
        spec.Linux!.Namespaces!.Add(new Namespace { Type = "network", Path = bundle["no-such-ns"] });

        Assert.Equal($"config.json: network namespace path {bundle["no-such-ns"]} does not exist", Fails(spec));
    }

    [Fact]
    public void Validate_NamespacePathThatExistsPasses()
    {
        var spec = Good();
        spec.Linux!.Namespaces!.Add(new Namespace { Type = "network", Path = "/proc/self/ns/net" });

        Assert.Equal(bundle["rootfs"], SpecValidator.Validate(spec, bundle.Path));
    }

    [Fact]
    public void Validate_UserNamespaceWithoutMappings()
    {
        var spec = Good();
        spec.Linux!.Namespaces!.Add(new Namespace { Type = "user" });

        Assert.Equal("config.json: a new user namespace needs uidMappings and gidMappings", Fails(spec));
    }

    [Fact]
    public void Validate_UserNamespaceWithOnlyUidMappings()
    {
        var spec = Good();
        spec.Linux!.Namespaces!.Add(new Namespace { Type = "user" });
        spec.Linux.UidMappings = [new IdMapping { ContainerId = 0, HostId = 1000, Size = 1 }];

        Assert.Contains("needs uidMappings and gidMappings", Fails(spec));
    }

    [Fact]
    public void Validate_UserNamespaceWithMappingsPasses()
    {
        var spec = Good();
        spec.Linux!.Namespaces!.Add(new Namespace { Type = "user" });
        spec.Linux.UidMappings = [new IdMapping { ContainerId = 0, HostId = 1000, Size = 1 }];
        spec.Linux.GidMappings = [new IdMapping { ContainerId = 0, HostId = 1000, Size = 1 }];

        Assert.Equal(bundle["rootfs"], SpecValidator.Validate(spec, bundle.Path));
    }

    [Fact]
    public void Validate_JoinedUserNamespaceNeedsNoMappings()
    {
        var spec = Good();
        spec.Linux!.Namespaces!.Add(new Namespace { Type = "user", Path = "/proc/self/ns/user" });

        Assert.Equal(bundle["rootfs"], SpecValidator.Validate(spec, bundle.Path));
    }

    [Fact]
    public void Validate_MappingsWithoutUserNamespace()
    {
        var spec = Good();
        spec.Linux!.GidMappings = [new IdMapping { ContainerId = 0, HostId = 1000, Size = 1 }];

        Assert.Equal("config.json: uidMappings given without a user namespace", Fails(spec));
    }

    [Fact]
    public void Validate_HostnameWithoutUtsNamespace()
    {
        var spec = Good();
        spec.Hostname = "box";

        Assert.Equal("config.json: hostname needs a private uts namespace", Fails(spec));
    }

    [Fact]
    public void Validate_HostnameWithUtsNamespacePasses()
    {
        var spec = Good();
        spec.Hostname = "box";
        spec.Linux!.Namespaces!.Add(new Namespace { Type = "uts" });

        Assert.Equal(bundle["rootfs"], SpecValidator.Validate(spec, bundle.Path));
    }

    [Fact]
    public void Validate_MountNamespaceIsRequired()
    {
        var spec = Good();
        spec.Linux!.Namespaces!.RemoveAll(n => n.Type == "mount");

        Assert.Equal("config.json: a mount namespace is required", Fails(spec));
    }

    [Fact]
    public void Validate_NoLinuxSectionMeansNoMountNamespace()
    {
        var spec = Good();
        spec.Linux = null;

        Assert.Equal("config.json: a mount namespace is required", Fails(spec));
    }

    [Theory]
    [InlineData("")]
    [InlineData("proc")]
    [InlineData("./tmp")]
    public void Validate_RelativeMountDestination(string destination)
    {
        var spec = Good();
        spec.Mounts = [new Mount { Destination = "/proc", Type = "proc" }, new Mount { Destination = destination, Type = "tmpfs" }];

        Assert.Equal($"config.json: mount destination '{destination}' is not absolute", Fails(spec));
    }

    [Theory]
    [InlineData("x")]
    [InlineData("")]
    [InlineData("C")]
    public void Validate_BadDeviceType(string type)
    {
        var spec = Good();
        spec.Linux!.Devices = [new Device { Type = type, Path = "/dev/fuse", Major = 10, Minor = 229 }];

        Assert.Equal($"config.json: device /dev/fuse has unknown type '{type}'", Fails(spec));
    }

    [Theory]
    [InlineData("/tmp/fuse")]
    [InlineData("dev/fuse")]
    [InlineData("/dev")]
    public void Validate_DevicePathOutsideDev(string path)
    {
        var spec = Good();
        spec.Linux!.Devices = [new Device { Type = "c", Path = path, Major = 10, Minor = 229 }];

        Assert.Equal($"config.json: device path {path} is not under /dev", Fails(spec));
    }

    [Theory]
    [InlineData("c")]
    [InlineData("b")]
    [InlineData("u")]
    [InlineData("p")]
    public void Validate_EveryDeviceTypeOfTheSpecPasses(string type)
    {
        var spec = Good();
        spec.Linux!.Devices = [new Device { Type = type, Path = "/dev/x", Major = 1, Minor = 1 }];

        Assert.Equal(bundle["rootfs"], SpecValidator.Validate(spec, bundle.Path));
    }

    [Fact]
    public void Validate_RelativeHookPath()
    {
        var spec = Good();
        spec.Hooks = new Hooks { Poststop = [new Hook { Path = "bin/cleanup" }] };

        Assert.Equal("config.json: hook path 'bin/cleanup' is not absolute", Fails(spec));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Validate_NonPositiveHookTimeout(int timeout)
    {
        var spec = Good();
        spec.Hooks = new Hooks { CreateRuntime = [new Hook { Path = "/bin/true", Timeout = timeout }] };

        Assert.Equal("config.json: hook /bin/true has a timeout that is not positive", Fails(spec));
    }

    [Fact]
    public void Validate_HooksInEveryPhaseAreChecked()
    {
        var phases = new Action<Hooks, List<Hook>>[]
        {
            (h, l) => h.Prestart = l,
            (h, l) => h.CreateRuntime = l,
            (h, l) => h.CreateContainer = l,
            (h, l) => h.StartContainer = l,
            (h, l) => h.Poststart = l,
            (h, l) => h.Poststop = l,
        };
        foreach (var set in phases)
        {
            var spec = Good();
            spec.Hooks = new Hooks();
            set(spec.Hooks, [new Hook { Path = "relative" }]);

            Assert.Contains("hook path 'relative' is not absolute", Fails(spec));
        }
    }

    [Fact]
    public void Validate_GoodHooksPass()
    {
        var spec = Good();
        spec.Hooks = new Hooks
        {
            Prestart = [new Hook { Path = "/bin/true", Timeout = 1 }],
            Poststop = [new Hook { Path = "/bin/true" }],
        };

        Assert.Equal(bundle["rootfs"], SpecValidator.Validate(spec, bundle.Path));
    }

    [Fact]
    public void Validate_NullArgs()
    {
        var spec = Good();
        spec.Process!.Args = null;

        Assert.Equal("config.json: process.args must not be empty", Fails(spec));
    }

    [Fact]
    public void Validate_EmptyArgs()
    {
        var spec = Good();
        spec.Process!.Args = [];

        Assert.Equal("config.json: process.args must not be empty", Fails(spec));
    }

    [Fact]
    public void Validate_EmptyFirstArg()
    {
        var spec = Good();
        spec.Process!.Args = ["", "x"];

        Assert.Equal("config.json: process.args must not be empty", Fails(spec));
    }

    [Theory]
    [InlineData("")]
    [InlineData("work")]
    public void Validate_RelativeCwd(string cwd)
    {
        var spec = Good();
        spec.Process!.Cwd = cwd;

        Assert.Equal($"config.json: process.cwd '{cwd}' is not an absolute path", Fails(spec));
    }

    [Fact]
    public void Validate_UnknownRlimit()
    {
        var spec = Good();
        spec.Process!.Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Soft = 1, Hard = 1 }, new PosixRlimit { Type = "RLIMIT_BOGUS" }];

        Assert.Equal("config.json: unknown rlimit type RLIMIT_BOGUS", Fails(spec));
    }

    [Fact]
    public void Validate_UnknownCapabilityInAnySet()
    {
        var sets = new Action<LinuxCapabilities>[]
        {
            c => c.Bounding = ["CAP_BOGUS"],
            c => c.Effective = ["CAP_BOGUS"],
            c => c.Permitted = ["CAP_BOGUS"],
            c => c.Inheritable = ["CAP_BOGUS"],
            c => c.Ambient = ["CAP_BOGUS"],
        };
        foreach (var set in sets)
        {
            var spec = Good();
            spec.Process!.Capabilities = new LinuxCapabilities { Bounding = ["CAP_KILL"] };
            set(spec.Process.Capabilities);

            Assert.Equal("config.json: unknown capability CAP_BOGUS", Fails(spec));
        }
    }

    [Fact]
    public void ValidateProcess_NamesWhereTheProcessCameFrom()
    {
        var p = new Process { Args = [], Cwd = "/" };

        var e = Assert.Throws<RuntimeException>(() => SpecValidator.ValidateProcess(p, "process.json"));

        Assert.Equal("process.json: process.args must not be empty", e.Message);
    }

    [Fact]
    public void ValidateProcess_AcceptsKnownCapabilitiesAndRlimits()
    {
        var p = new Process
        {
            Args = ["sh"],
            Cwd = "/",
            Capabilities = new LinuxCapabilities { Bounding = ["CAP_KILL", "cap_chown"], Ambient = [] },
            Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Soft = 10, Hard = 20 }],
        };

        Assert.Null(Record.Exception(() => SpecValidator.ValidateProcess(p, "process.json")));
    }
}
