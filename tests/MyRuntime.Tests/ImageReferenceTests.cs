using MyRuntime.Images;
using MyRuntime.Images.Reference;

namespace MyRuntime.Tests;

public class ImageReferenceTests
{
    private const string Hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("alpine", "docker.io", "library/alpine", "latest", "docker.io/library/alpine:latest", "alpine:latest")]
    [InlineData("busybox:1.36", "docker.io", "library/busybox", "1.36", "docker.io/library/busybox:1.36", "busybox:1.36")]
    [InlineData("user/app", "docker.io", "user/app", "latest", "docker.io/user/app:latest", "user/app:latest")]
    [InlineData("docker.io/library/alpine:3", "docker.io", "library/alpine", "3", "docker.io/library/alpine:3", "alpine:3")]
    [InlineData("index.docker.io/library/alpine", "docker.io", "library/alpine", "latest", "docker.io/library/alpine:latest", "alpine:latest")]
    [InlineData("docker.io/alpine", "docker.io", "library/alpine", "latest", "docker.io/library/alpine:latest", "alpine:latest")]
    [InlineData("127.0.0.1:5000/x:y", "127.0.0.1:5000", "x", "y", "127.0.0.1:5000/x:y", "127.0.0.1:5000/x:y")]
    [InlineData("localhost/app", "localhost", "app", "latest", "localhost/app:latest", "localhost/app:latest")]
    [InlineData("localhost:5000/a/b/c:v1.0-rc_2", "localhost:5000", "a/b/c", "v1.0-rc_2", "localhost:5000/a/b/c:v1.0-rc_2", "localhost:5000/a/b/c:v1.0-rc_2")]
    [InlineData("quay.io/org/repo", "quay.io", "org/repo", "latest", "quay.io/org/repo:latest", "quay.io/org/repo:latest")]
    [InlineData("Registry/app", "Registry", "app", "latest", "Registry/app:latest", "Registry/app:latest")]
    [InlineData("my-registry.example.com:443/team/my_app__x.y-z", "my-registry.example.com:443", "team/my_app__x.y-z", "latest", "my-registry.example.com:443/team/my_app__x.y-z:latest", "my-registry.example.com:443/team/my_app__x.y-z:latest")]
    [InlineData("[::1]:5000/img:t", "[::1]:5000", "img", "t", "[::1]:5000/img:t", "[::1]:5000/img:t")]
    [InlineData("a--b/c", "docker.io", "a--b/c", "latest", "docker.io/a--b/c:latest", "a--b/c:latest")]
    public void ParsesTaggedReferences(string text, string registry, string repository, string tag, string full, string familiar)
    {
        var r = ImageReference.Parse(text);
        Assert.Equal(registry, r.Registry);
        Assert.Equal(repository, r.Repository);
        Assert.Equal(tag, r.Tag);
        Assert.Null(r.Digest);
        Assert.Equal(full, r.ToString());
        Assert.Equal(familiar, r.Familiar);
    }

    [Fact]
    public void ParsesDigestReferences()
    {
        var r = ImageReference.Parse($"host:5000/repo@sha256:{Hex}");
        Assert.Equal("host:5000", r.Registry);
        Assert.Null(r.Tag);
        Assert.Equal($"sha256:{Hex}", r.Digest.ToString());
        Assert.Equal($"host:5000/repo@sha256:{Hex}", r.ToString());

        var both = ImageReference.Parse($"busybox:1.36@sha256:{Hex}");
        Assert.Equal("1.36", both.Tag);
        Assert.Equal(Hex, both.Digest!.Value.Hex);
        Assert.Equal($"busybox:1.36@sha256:{Hex}", both.Familiar);
        Assert.Null(both.WithDigest(both.Digest.Value).Tag);
    }

    [Fact]
    public void DockerHubIsReachedAtRegistry1()
    {
        Assert.Equal("registry-1.docker.io", ImageReference.Parse("alpine").ApiHost);
        Assert.Equal("127.0.0.1:5000", ImageReference.Parse("127.0.0.1:5000/a").ApiHost);
        Assert.Equal("docker.io/library/alpine:latest", ImageReference.Parse("alpine").TaggedName);
        Assert.Equal("library/x/y", ImageReference.Parse("docker.io/library/x/y").FamiliarName);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Alpine", "lowercase")]
    [InlineData("user/App", "lowercase")]
    [InlineData("alpine:", "tag")]
    [InlineData("alpine:-x", "tag")]
    [InlineData("alpine:a/b", "registry")]
    [InlineData("alpine@sha256:abc", "digest")]
    [InlineData("alpine@md5:0123456789abcdef0123456789abcdef", "digest")]
    [InlineData("-alpine", "component")]
    [InlineData("alpine-", "component")]
    [InlineData("a..b", "component")]
    [InlineData("a___b", "component")]
    [InlineData("a//b", "component")]
    [InlineData("a/", "component")]
    [InlineData("localhost:5000/", "empty repository")]
    [InlineData("host:99999999/x", "registry")]
    [InlineData("bad_host.com/x", "registry")]
    [InlineData("-host.com/x", "registry")]
    [InlineData("host.com:/x", "registry")]
    [InlineData("a b", "component")]
    public void RejectsBadReferences(string text, string why)
    {
        var e = Assert.Throws<ImagesException>(() => ImageReference.Parse(text));
        Assert.Contains("invalid reference format", e.Message);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void TagGrammarLimits()
    {
        Assert.Equal(128, ImageReference.Parse("a:" + new string('t', 128)).Tag!.Length);
        Assert.Throws<ImagesException>(() => ImageReference.Parse("a:" + new string('t', 129)));
        Assert.Equal("_x.Y-1", ImageReference.Parse("a:_x.Y-1").Tag);
        Assert.Throws<ImagesException>(() => ImageReference.Parse("a:.x"));
        Assert.Throws<ImagesException>(() => ImageReference.Parse(new string('a', 256)));
    }
}
