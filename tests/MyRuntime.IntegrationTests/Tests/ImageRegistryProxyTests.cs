using MyRuntime.IntegrationTests.Infrastructure;
using MyRuntime.IntegrationTests.Infrastructure.Registry;
using Xunit.Abstractions;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>pull through a <see cref="RegistryProxy"/> in front of a basic-auth registry: blob GETs redirected to
/// another host (which must never see the credentials), and transient 503/429 answers (retried; a blob that never
/// comes fails the pull cleanly).</summary>
public sealed class ImageRegistryProxyTests(ITestOutputHelper output) : IDisposable
{
    private readonly ImageCli cli = new();

    public void Dispose() => cli.Dispose();

    private static ProcResult Ok(ProcResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    private LayerBlob[] PushImage(RegistryServer registry, string name, int layerCount)
    {
        string layout = Path.Combine(cli.Dir, "layout");
        var w = new OciLayoutWriter(layout);
        var layers = Enumerable.Range(0, layerCount)
            .Select(i => w.AddLayer(OciLayoutWriter.TarOfFile($"f{i}", OciLayoutWriter.RandomBytes(50_000 + i)))).ToArray();
        w.TagManifest("v1", w.AddImage(layers));
        registry.Push(layout, "v1", name);
        return layers;
    }

    private void Login(RegistryProxy proxy) =>
        Ok(cli.RunWithInput(RegistryServer.Password + "\n", "login", "-u", RegistryServer.User, "--password-stdin", proxy.Host));

    [RegistryFact]
    public void RedirectedBlobs_AreFetchedWithoutTheCredentials()
    {
        using var registry = RegistryServer.Start(RegistryServer.AuthMode.Basic);
        var layers = PushImage(registry, "private/app", 2);
        using var proxy = new RegistryProxy(registry, RegistryServer.User, RegistryServer.Password) { RedirectBlobs = true };
        Login(proxy);

        Ok(cli.Run("pull", $"{proxy.Host}/private/app:v1"));
        Assert.Single(Ok(cli.Run("images", "-q")).StdoutLines);

        var atBlobHost = proxy.BlobHostRequests.ToList();
        var blobsAtProxy = proxy.Requests.Where(r => r.IsBlob && r.Method == "GET").ToList();
        Assert.NotEmpty(blobsAtProxy);
        foreach (var layer in layers)
        {
            Assert.Contains(atBlobHost, r => r.Last == layer.Digest);
        }

        // Config and layers: every blob the proxy redirected was fetched from the blob host, never with credentials.
        Assert.Equal(blobsAtProxy.Select(r => r.Last).ToHashSet(), atBlobHost.Select(r => r.Last).ToHashSet());
        Assert.True(layers.Length + 1 <= atBlobHost.Count, string.Join("\n", atBlobHost));
        Assert.All(atBlobHost, r => Assert.False(r.HadAuthorization, $"the blob host got an Authorization header: {r}"));

        // The registry itself did get them.
        var manifests = proxy.Requests.Where(r => r.IsManifest).ToList();
        Assert.NotEmpty(manifests);
        Assert.All(manifests, r => Assert.True(r.HadAuthorization, $"a manifest request without Authorization: {r}"));
        Assert.All(blobsAtProxy, r => Assert.True(r.HadAuthorization, $"a blob request to the registry without Authorization: {r}"));
    }

    [RegistryFact]
    public void TransientErrors_AreRetried()
    {
        using var registry = RegistryServer.Start(RegistryServer.AuthMode.Basic);
        var layers = PushImage(registry, "private/flaky", 2);
        using var proxy = new RegistryProxy(registry);
        Login(proxy);
        proxy.Intercept = (method, path, n) =>
            n > 1 ? null
            : path.Contains("/blobs/", StringComparison.Ordinal) ? 503
            : path.Contains("/manifests/", StringComparison.Ordinal) ? 429
            : null;

        Ok(cli.Run("pull", $"{proxy.Host}/private/flaky:v1"));
        Assert.Single(Ok(cli.Run("images", "-q")).StdoutLines);
        Assert.Equal(0, cli.TmpEntries());

        var seen = proxy.Requests.ToList();
        var blobGets = seen.Where(r => r.IsBlob && r.Method == "GET").GroupBy(r => r.Last).ToList();
        Assert.Equal(layers.Length + 1, blobGets.Count);
        Assert.All(blobGets, g => Assert.True(g.Count() >= 2, $"{g.Key} requested {g.Count()} time(s)"));
        Assert.Contains(seen.Where(r => r.IsManifest).GroupBy(r => r.Method + r.Path), g => g.Count() >= 2);
    }

    [RegistryFact]
    public void BlobThatNeverComes_FailsThePullCleanly()
    {
        using var registry = RegistryServer.Start(RegistryServer.AuthMode.Basic);
        var layer = PushImage(registry, "private/broken", 1).Single();
        using var proxy = new RegistryProxy(registry);
        Login(proxy);
        proxy.Intercept = (_, path, _) => path.EndsWith("/blobs/" + layer.Digest, StringComparison.Ordinal) ? 503 : null;

        var r = cli.Run("pull", $"{proxy.Host}/private/broken:v1");
        Assert.NotEqual(0, r.ExitCode);
        string error = r.Stderr.Trim();
        output.WriteLine(error);
        Assert.DoesNotContain('\n', error);
        Assert.Contains("503", error);
        Assert.Contains("gave up", error);
        Assert.True(proxy.Requests.Count(q => q.Last == layer.Digest) >= 2, "the blob was not retried");

        Assert.Equal(0, cli.BlobFiles().Count);
        Assert.Equal(0, cli.TmpEntries());
        Assert.Empty(Ok(cli.Run("images", "-q")).StdoutLines);
    }
}
