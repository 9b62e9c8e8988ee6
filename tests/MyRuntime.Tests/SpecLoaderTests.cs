using System.Text;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Config;

namespace MyRuntime.Tests;

public class SpecLoaderTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Parse_ReadsTheMainFields()
    {
        var spec = SpecLoader.Parse(Utf8("""
            {
              "ociVersion": "1.0.2",
              "process": { "args": ["sh", "-c", "true"], "cwd": "/work", "user": { "uid": 1000, "gid": 100 } },
              "root": { "path": "rootfs", "readonly": true },
              "hostname": "box",
              "mounts": [ { "destination": "/proc", "type": "proc", "source": "proc" } ],
              "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] }
            }
            """), "config.json");

        Assert.Equal("1.0.2", spec.OciVersion);
        Assert.Equal(["sh", "-c", "true"], spec.Process!.Args);
        Assert.Equal("/work", spec.Process.Cwd);
        Assert.Equal(1000u, spec.Process.User.Uid);
        Assert.Equal(100u, spec.Process.User.Gid);
        Assert.Equal("rootfs", spec.Root!.Path);
        Assert.True(spec.Root.Readonly);
        Assert.Equal("box", spec.Hostname);
        Assert.Equal("/proc", Assert.Single(spec.Mounts!).Destination);
        Assert.Equal(["pid", "mount"], spec.Linux!.Namespaces!.Select(n => n.Type));
    }

    [Fact]
    public void Parse_FieldNamesAreCaseInsensitive()
    {
        var spec = SpecLoader.Parse(Utf8("""{"OCIVERSION":"1.2.0","Root":{"PATH":"rfs"},"HostName":"h"}"""), "config.json");

        Assert.Equal("1.2.0", spec.OciVersion);
        Assert.Equal("rfs", spec.Root!.Path);
        Assert.Equal("h", spec.Hostname);
    }

    [Fact]
    public void Parse_ReadsIdMappingsByTheirSpecNames()
    {
        var spec = SpecLoader.Parse(Utf8("""
            {"linux":{"uidMappings":[{"containerID":0,"hostID":100000,"size":65536}],
                      "gidMappings":[{"containerId":1,"hostId":200000,"size":10}]}}
            """), "config.json");

        var uid = Assert.Single(spec.Linux!.UidMappings!);
        Assert.Equal(0u, uid.ContainerId);
        Assert.Equal(100000u, uid.HostId);
        Assert.Equal(65536u, uid.Size);
        var gid = Assert.Single(spec.Linux.GidMappings!);
        Assert.Equal(1u, gid.ContainerId);
        Assert.Equal(200000u, gid.HostId);
        Assert.Equal(10u, gid.Size);
    }

    [Fact]
    public void Parse_KeepsUnknownFieldsAsExtensionData()
    {
        var spec = SpecLoader.Parse(Utf8("""{"ociVersion":"1.2.0","vm":{"hypervisor":{}},"linux":{"timeOffsets":{}}}"""), "config.json");

        Assert.True(spec.Extra!.ContainsKey("vm"));
        Assert.True(spec.Linux!.Extra!.ContainsKey("timeOffsets"));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"ociVersion\": }")]
    [InlineData("{\"ociVersion\":\"1.0\",}")]
    [InlineData("{\"process\":{\"args\":\"sh\"}}")]
    [InlineData("{\n\"root\": {\n\"path\": 5\n}\n}")]
    [InlineData("")]
    [InlineData("// comment\n{}")]
    public void Parse_MalformedJsonThrowsAOneLineRuntimeException(string json)
    {
        var e = Assert.Throws<RuntimeException>(() => SpecLoader.Parse(Utf8(json), "/b/config.json"));

        Assert.StartsWith("/b/config.json: invalid JSON: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
    }

    [Fact]
    public void Parse_NullDocumentIsEmpty()
    {
        var e = Assert.Throws<RuntimeException>(() => SpecLoader.Parse(Utf8("null"), "config.json"));

        Assert.Equal("config.json: empty document", e.Message);
    }

    [Fact]
    public void ParseProcess_ReadsAProcessDocument()
    {
        var p = SpecLoader.ParseProcess(Utf8("""{"args":["ls","-l"],"cwd":"/tmp","env":["A=1"],"terminal":true}"""), "process.json");

        Assert.Equal(["ls", "-l"], p.Args);
        Assert.Equal("/tmp", p.Cwd);
        Assert.Equal(["A=1"], p.Env);
        Assert.True(p.Terminal);
    }

    [Fact]
    public void ParseProcess_MalformedJsonNamesTheFile()
    {
        var e = Assert.Throws<RuntimeException>(() => SpecLoader.ParseProcess(Utf8("[1,2]"), "process.json"));

        Assert.StartsWith("process.json: invalid JSON: ", e.Message);
    }

    [Fact]
    public void Load_ReadsConfigJsonFromTheBundle()
    {
        using var bundle = new TempDir();
        bundle.File("config.json", """{"ociVersion":"1.2.0","hostname":"fromfile"}""");

        var spec = SpecLoader.Load(bundle.Path);

        Assert.Equal("fromfile", spec.Hostname);
    }

    [Fact]
    public void Load_WithoutConfigJsonSaysSo()
    {
        using var bundle = new TempDir();

        var e = Assert.Throws<RuntimeException>(() => SpecLoader.Load(bundle.Path));

        Assert.Equal($"bundle {bundle.Path}: config.json not found", e.Message);
    }

    [Fact]
    public void Load_OfAMissingBundleSaysItDoesNotExist()
    {
        using var tmp = new TempDir();
        string missing = tmp["nope"];

        var e = Assert.Throws<RuntimeException>(() => SpecLoader.Load(missing));

        Assert.Equal($"bundle {missing} does not exist", e.Message);
    }

    [Fact]
    public void Load_OfMalformedJsonNamesThePath()
    {
        using var bundle = new TempDir();
        string path = bundle.File("config.json", "{ not json");

        var e = Assert.Throws<RuntimeException>(() => SpecLoader.Load(bundle.Path));

        Assert.StartsWith($"{path}: invalid JSON: ", e.Message);
    }
}
