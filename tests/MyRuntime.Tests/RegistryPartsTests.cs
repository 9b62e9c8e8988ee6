using System.Text;
using MyRuntime.Images;
using MyRuntime.Images.Registry;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Tests;

public class RegistryPartsTests
{
    [Fact]
    public void ParsesBearerChallenge()
    {
        var c = AuthChallenge.Parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/a:pull,push\"");
        var one = Assert.Single(c);
        Assert.True(one.IsBearer);
        Assert.Equal("https://auth.docker.io/token", one["realm"]);
        Assert.Equal("registry.docker.io", one["service"]);
        Assert.Equal("repository:library/a:pull,push", one["scope"]);
        Assert.Null(one["error"]);
    }

    [Fact]
    public void ParsesBasicAndSeveralChallenges()
    {
        var c = AuthChallenge.Parse("Basic realm=\"Registry Realm\", Bearer realm=\"http://x/t\", error=insufficient_scope");
        Assert.Equal(2, c.Count);
        Assert.True(c[0].IsBasic);
        Assert.Equal("Registry Realm", c[0]["realm"]);
        Assert.True(c[1].IsBearer);
        Assert.Equal("insufficient_scope", c[1]["error"]);
        Assert.Equal("a\"b", Assert.Single(AuthChallenge.Parse("Bearer realm=\"a\\\"b\""))["realm"]);
    }

    [Theory]
    [InlineData("localhost:5000", true)]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("127.1.2.3", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("10.0.0.1:5000", false)]
    [InlineData("registry-1.docker.io", false)]
    public void LoopbackHostsGetPlainHttp(string host, bool http)
    {
        Assert.Equal(http, RegistryHosts.IsLoopback(host));
        Assert.Equal(http ? "http" : "https", RegistryHosts.BaseUri(host).Scheme);
    }

    [Fact]
    public void PlatformSelectionPrefersExactAndListsOffers()
    {
        var index = new ImageIndex
        {
            Manifests =
            [
                new Descriptor { Digest = "a", Platform = new Platform { Os = "linux", Architecture = "amd64" } },
                new Descriptor { Digest = "b", Platform = new Platform { Os = "linux", Architecture = "arm", Variant = "v7" } },
                new Descriptor { Digest = "c", Platform = new Platform { Os = "linux", Architecture = "arm64", Variant = "v8" } },
                new Descriptor { Digest = "d", Platform = new Platform { Os = "unknown", Architecture = "unknown" } },
            ],
        };
        Assert.Equal("a", PlatformSelector.Parse("linux/amd64").Select(index, "x").Digest);
        Assert.Equal("a", PlatformSelector.Parse("linux/x86_64").Select(index, "x").Digest);
        Assert.Equal("c", PlatformSelector.Parse("linux/arm64").Select(index, "x").Digest);
        Assert.Equal("b", PlatformSelector.Parse("linux/arm/v7").Select(index, "x").Digest);
        var e = Assert.Throws<ImagesException>(() => PlatformSelector.Parse("linux/s390x").Select(index, "x"));
        Assert.Contains("linux/s390x", e.Message);
        Assert.Contains("linux/amd64, linux/arm/v7, linux/arm64/v8", e.Message);
        Assert.Throws<ImagesException>(() => PlatformSelector.Parse("linux"));
        Assert.Equal("linux/amd64", PlatformSelector.Parse(null).ToString());
    }

    [Fact]
    public void ManifestKindFromContentTypeMediaTypeOrShape()
    {
        byte[] index = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"manifests\":[]}");
        byte[] manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:" + new string('a', 64) + "\",\"size\":2},\"layers\":[]}");
        Assert.NotNull(ManifestDocument.Parse(index, "application/octet-stream", "x").Index);
        Assert.NotNull(ManifestDocument.Parse(manifest, null, "x").Manifest);
        Assert.Equal(MediaTypes.DockerManifest, ManifestDocument.Parse(manifest, MediaTypes.DockerManifest, "x").MediaType);
        byte[] typed = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DockerManifestList + "\",\"manifests\":[]}");
        Assert.Equal(MediaTypes.DockerManifestList, ManifestDocument.Parse(typed, "text/plain", "x").MediaType);
        Assert.Equal(ManifestDocument.DigestOf(manifest), ManifestDocument.Parse(manifest, null, "x").Digest);
        Assert.Contains("schema 1", Assert.Throws<ImagesException>(() => ManifestDocument.Parse(Encoding.UTF8.GetBytes("{\"schemaVersion\":1}"), null, "x")).Message);
        Assert.Contains("not an image manifest", Assert.Throws<ImagesException>(() => ManifestDocument.Parse(Encoding.UTF8.GetBytes("{}"), null, "x")).Message);
        Assert.Contains("invalid digest", Assert.Throws<ImagesException>(() => ManifestDocument.Parse(Encoding.UTF8.GetBytes("{\"config\":{\"digest\":\"sha256:../x\"},\"layers\":[]}"), null, "x")).Message);
    }

    [Fact]
    public void CredentialFilesRoundTrip()
    {
        string dir = Path.Combine(Path.GetTempPath(), "myrt-creds-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(dir);
            string docker = Path.Combine(dir, "docker.json");
            File.WriteAllText(docker, "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + new RegistryCredentials("hub", "pw").Encoded + "\"}}}");
            var store = new CredentialStore(Path.Combine(dir, "sub", "auth.json"), docker);
            Assert.Equal(new RegistryCredentials("hub", "pw"), store.Find("docker.io"));
            Assert.Null(store.Find("127.0.0.1:5000"));
            store.Save("http://127.0.0.1:5000/", new RegistryCredentials("u", "p:w"));
            Assert.Equal(new RegistryCredentials("u", "p:w"), store.Find("127.0.0.1:5000"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.AuthFilePath));
            Assert.True(store.Remove("127.0.0.1:5000"));
            Assert.False(store.Remove("127.0.0.1:5000"));
            Assert.Null(store.Find("127.0.0.1:5000"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
