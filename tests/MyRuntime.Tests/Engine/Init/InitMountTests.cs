using MyRuntime.Engine;
using MyRuntime.Engine.Init;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Tests.Engine.Init;

public class InitMountTests
{
    private const string Binary = "/bin/sh"; // any existing file

    private static Spec NewSpec(params string[] args) => new() { Process = new Process { Args = [.. args] }, Mounts = [new Mount { Destination = "/proc", Type = "proc" }] };

    [Fact]
    public void Apply_StaticBinary_BindsItAndPrependsTheInit()
    {
        var spec = NewSpec("sh", "-c", "echo hi");

        InitMount.Apply(spec, Binary, []);

        Assert.Equal(["/sbin/myruntime-init", "__init", "--", "sh", "-c", "echo hi"], spec.Process!.Args);
        var m = spec.Mounts![^1];
        Assert.Equal("/sbin/myruntime-init", m.Destination);
        Assert.Equal(Binary, m.Source);
        Assert.Equal("bind", m.Type);
        Assert.Contains("ro", m.Options!);
        Assert.DoesNotContain("noexec", m.Options!);
        Assert.Equal("/proc", spec.Mounts[0].Destination);
    }

    [Fact]
    public void Apply_DynamicBinary_RunsThroughTheHostLoaderInATmpfs()
    {
        var spec = NewSpec("top");
        string[] libs = ["/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6"];

        InitMount.Apply(spec, Binary, libs);

        Assert.Equal(
            ["/sbin/.myruntime-init/ld-linux-x86-64.so.2", "--library-path", "/sbin/.myruntime-init", "/sbin/myruntime-init", "__init", "--", "top"],
            spec.Process!.Args);
        var mounts = spec.Mounts!.Skip(1).ToList();
        Assert.Equal("/sbin/myruntime-init", mounts[0].Destination);
        Assert.Equal("tmpfs", mounts[1].Type);
        Assert.Equal("/sbin/.myruntime-init", mounts[1].Destination);
        Assert.DoesNotContain("noexec", mounts[1].Options!);
        Assert.Equal(["/sbin/.myruntime-init/ld-linux-x86-64.so.2", "/sbin/.myruntime-init/libc.so.6", "/sbin/.myruntime-init/libm.so.6"], mounts.Skip(2).Select(m => m.Destination));
        Assert.Equal(libs, mounts.Skip(2).Select(m => m.Source));
        Assert.All(mounts.Skip(2), m => Assert.Equal(["bind", "ro", "nosuid", "nodev"], m.Options!));
    }

    [Fact]
    public void Apply_NoCommand_Fails()
    {
        var e = Assert.Throws<EngineException>(() => InitMount.Apply(new Spec { Process = new Process { Args = [] } }, Binary, []));
        Assert.Contains("--init", e.Message);
        Assert.Throws<EngineException>(() => InitMount.Apply(new Spec(), Binary, []));
    }

    [Fact]
    public void Apply_MissingBinary_OrNoLoader_Fails()
    {
        Assert.Throws<EngineException>(() => InitMount.Apply(NewSpec("x"), "/nonexistent/myruntime", []));
        Assert.Throws<EngineException>(() => InitMount.Apply(NewSpec("x"), "relative/path", []));
        Assert.Throws<EngineException>(() => InitMount.Apply(NewSpec("x"), Binary, ["/lib/libc.so.6"]));
    }

    [Fact]
    public void FromMaps_ListsSharedObjectsOnceLoaderFirst()
    {
        const string maps = """
            55d0c0a00000-55d0c0a01000 r--p 00000000 fe:01 123 /usr/bin/myruntime
            7f0000000000-7f0000001000 r--p 00000000 fe:01 11 /usr/lib/x86_64-linux-gnu/libm.so.6
            7f0000001000-7f0000002000 r-xp 00001000 fe:01 11 /usr/lib/x86_64-linux-gnu/libm.so.6
            7f0000002000-7f0000003000 r--p 00000000 fe:01 12 /usr/lib/x86_64-linux-gnu/libc.so.6
            7f0000003000-7f0000004000 rw-p 00000000 00:00 0
            7f0000004000-7f0000005000 r--p 00000000 fe:01 13 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
            7f0000005000-7f0000006000 r--p 00000000 fe:01 14 /tmp/old lib.so.1 (deleted)
            7ffd00000000-7ffd00001000 rw-p 00000000 00:00 0                          [stack]
            7ffd00002000-7ffd00003000 r--s 00000000 00:05 9 /memfd:doublemapper (deleted)
            """;

        var libs = HostLibraries.FromMaps(maps, "/usr/bin/myruntime");

        Assert.Equal(["/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/usr/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6"], libs);
    }

    [Fact]
    public void OfThisProcess_HasTheLoader()
    {
        var libs = HostLibraries.OfThisProcess("/nonexistent");

        Assert.True(HostLibraries.IsLoader(libs[0]), string.Join(", ", libs));
        Assert.Contains(libs, l => Path.GetFileName(l) == "libc.so.6");
    }
}
