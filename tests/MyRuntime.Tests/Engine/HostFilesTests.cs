using MyRuntime.Engine.Bundle;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Tests.Engine;

public class HostFilesTests
{
    [Fact]
    public void ResolvConf_DropsLoopbackNameserversForAContainerNetwork()
    {
        const string host = "search example.org\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nnameserver ::1\noptions edns0\n";
        Assert.Equal("search example.org\nnameserver 10.0.0.2\noptions edns0\n", HostFiles.ResolvConf(host, hostNetwork: false));
        Assert.Equal(host, HostFiles.ResolvConf(host, hostNetwork: true));
        Assert.Equal("", HostFiles.ResolvConf("", hostNetwork: false));
    }

    [Fact]
    public void Hosts_NamesLoopbackAndTheHostname()
    {
        string hosts = HostFiles.Hosts("web1");
        Assert.StartsWith("127.0.0.1\tlocalhost\n", hosts, StringComparison.Ordinal);
        Assert.EndsWith("127.0.1.1\tweb1\n", hosts, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_WritesTheFilesAndBindsThemUnlessTheUserBoundOne()
    {
        using var dir = new TempDir();
        string resolv = dir.File("host-resolv.conf", "nameserver 192.0.2.1\n");
        var spec = new Spec
        {
            Hostname = "abc",
            Mounts = [new Mount { Destination = "/etc/hosts", Type = "bind", Source = "/mine", Options = ["rbind"] }],
        };
        HostFiles.Apply(spec, dir.Path, hostNetwork: false, null, resolv, "/nonexistent");
        Assert.Equal("abc\n", File.ReadAllText(dir["hostname"]));
        Assert.Equal("nameserver 192.0.2.1\n", File.ReadAllText(dir["resolv.conf"]));
        Assert.Contains("abc", File.ReadAllText(dir["hosts"]), StringComparison.Ordinal);
        Assert.Equal(["/etc/hosts", "/etc/hostname", "/etc/resolv.conf"], spec.Mounts.Select(m => m.Destination));
        Assert.Equal("/mine", spec.Mounts[0].Source);
        Assert.Equal(dir["hostname"], spec.Mounts[1].Source);
        Assert.Contains("rbind", spec.Mounts[1].Options!);
    }
}
