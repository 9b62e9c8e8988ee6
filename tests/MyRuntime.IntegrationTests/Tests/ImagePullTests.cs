using MyRuntime.IntegrationTests.Infrastructure;
using MyRuntime.IntegrationTests.Infrastructure.Registry;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>pull, images, rmi against a real docker-registry on loopback, with images built offline.</summary>
public sealed class ImagePullTests : IDisposable
{
    private readonly ImageCli cli = new();
    private readonly string layoutDir;

    public ImagePullTests()
    {
        layoutDir = Path.Combine(cli.Dir, "layout");
    }

    public void Dispose() => cli.Dispose();

    private static byte[] BusyboxTar() => OciLayoutWriter.TarOfDirectory(TestSettings.ImageRootfs);

    private static void Has(string needle, ProcResult r) => Assert.True(r.Stdout.Contains(needle, StringComparison.Ordinal), $"expected \"{needle}\" in\n{r}");

    private static ProcResult Ok(ProcResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    [RegistryFact]
    public void PullByTagThenAgainThenByDigest()
    {
        using var registry = RegistryServer.Start();
        var w = new OciLayoutWriter(layoutDir);
        var layers = new[] { w.AddLayer(BusyboxTar()), w.AddLayer(OciLayoutWriter.TarOfFile("data.bin", OciLayoutWriter.RandomBytes(300_000))) };
        var manifest = w.AddImage(layers);
        w.TagManifest("v1", manifest);
        registry.Push(layoutDir, "v1", "test/bb");
        string name = $"{registry.Host}/test/bb:v1";

        var first = Ok(cli.Run("pull", name));
        Has($"{layers[0].Digest[7..19]}: Pulling fs layer", first);
        Has($"{layers[1].Digest[7..19]}: Download complete", first);
        Has($"Digest: {manifest.Digest}", first);
        Has($"Status: Downloaded newer image for {name}", first);
        var blobs = cli.BlobFiles();
        Assert.Equal(4, blobs.Count);

        var images = Ok(cli.Run("images"));
        Assert.Matches(@"REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE", images.StdoutLines[0]);
        Assert.Matches($@"^{registry.Host}/test/bb\s+v1\s+[0-9a-f]{{12}}\s+.*ago\s+[0-9.]+[kM]B$", images.StdoutLines[1]);

        var second = Ok(cli.Run("pull", name));
        Has($"{layers[0].Digest[7..19]}: Already exists", second);
        Has($"{layers[1].Digest[7..19]}: Already exists", second);
        Assert.DoesNotContain("Download complete", second.Stdout);
        Has($"Status: Image is up to date for {name}", second);
        Assert.Equal(blobs, cli.BlobFiles());

        var byDigest = Ok(cli.Run("pull", $"{registry.Host}/test/bb@{manifest.Digest}"));
        Assert.DoesNotContain("Download complete", byDigest.Stdout);
        Assert.Equal(blobs, cli.BlobFiles());
        var inspect = Ok(cli.Run("image", "inspect", name));
        Assert.Contains($"{registry.Host}/test/bb@{manifest.Digest}", inspect.Stdout);
        Assert.Contains(layers[1].DiffId, inspect.Stdout);
        Assert.Single(Ok(cli.Run("images", "-q")).StdoutLines);
    }

    [RegistryFact]
    public void SharedBaseLayerIsStoredOnce()
    {
        using var registry = RegistryServer.Start();
        var w = new OciLayoutWriter(layoutDir);
        var bb = w.AddLayer(BusyboxTar());
        var a = w.AddLayer(OciLayoutWriter.TarOfFile("a", OciLayoutWriter.RandomBytes(1000)));
        var b = w.AddLayer(OciLayoutWriter.TarOfFile("b", OciLayoutWriter.RandomBytes(2000)));
        var ma = w.AddImage([bb, a]);
        var mb = w.AddImage([bb, b]);
        w.TagManifest("a", ma);
        w.TagManifest("b", mb);
        registry.Push(layoutDir, "a", "test/a");
        registry.Push(layoutDir, "b", "test/b");

        Ok(cli.Run("pull", $"{registry.Host}/test/a:a"));
        var second = Ok(cli.Run("pull", $"{registry.Host}/test/b:b"));
        Has($"{bb.Digest[7..19]}: Already exists", second);
        var blobs = cli.BlobFiles();
        Assert.Equal(7, blobs.Count);
        long layerBytes = bb.Size + a.Size + b.Size;
        Assert.InRange(blobs.Bytes, layerBytes, layerBytes + 8192);
        Assert.Equal(2, Ok(cli.Run("images", "-q")).StdoutLines.Count);

        var rmi = Ok(cli.Run("rmi", $"{registry.Host}/test/a:a"));
        Assert.Contains($"Untagged: {registry.Host}/test/a:a", rmi.Stdout);
        Assert.Contains("Deleted: sha256:", rmi.Stdout);
        Assert.True(File.Exists(Path.Combine(cli.StorageRoot, "blobs", "sha256", bb.Digest[7..])), "the shared layer stays");
        Assert.False(File.Exists(Path.Combine(cli.StorageRoot, "blobs", "sha256", a.Digest[7..])), "a's own layer goes");
        Ok(cli.Run("rmi", $"{registry.Host}/test/b:b"));
        Assert.Equal(0, cli.BlobFiles().Count);
        Assert.Single(Ok(cli.Run("images")).StdoutLines);
    }

    [RegistryFact]
    public void ManifestListResolvesToThePlatform()
    {
        using var registry = RegistryServer.Start();
        var w = new OciLayoutWriter(layoutDir);
        var amd = w.AddImage([w.AddLayer(OciLayoutWriter.TarOfFile("amd", OciLayoutWriter.RandomBytes(500)))], "amd64");
        var arm = w.AddImage([w.AddLayer(OciLayoutWriter.TarOfFile("arm", OciLayoutWriter.RandomBytes(500)))], "arm64", "v8");
        string indexDigest = w.TagIndex("multi", [(amd, "amd64", null), (arm, "arm64", "v8")]);
        registry.Push(layoutDir, "multi", "test/multi", all: true);
        string name = $"{registry.Host}/test/multi:multi";

        var pulled = Ok(cli.Run("pull", name));
        Has($"Digest: {indexDigest}", pulled);
        var inspect = Ok(cli.Run("image", "inspect", name));
        Assert.Contains("\"Architecture\": \"amd64\"", inspect.Stdout);
        Assert.Contains(amd.Digest, inspect.Stdout);

        Ok(cli.Run("pull", "--platform", "linux/arm64", name));
        inspect = Ok(cli.Run("image", "inspect", name));
        Assert.Contains("\"Architecture\": \"arm64\"", inspect.Stdout);
        Assert.Contains(arm.Digest, inspect.Stdout);

        var missing = cli.Run("pull", "--platform", "linux/s390x", name);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("no matching manifest for linux/s390x", missing.Stderr);
        Assert.Contains("linux/amd64, linux/arm64/v8", missing.Stderr);
    }

    [RegistryFact]
    public void CorruptBlobIsRefusedAndNothingStored()
    {
        using var registry = RegistryServer.Start();
        var w = new OciLayoutWriter(layoutDir);
        var layer = w.AddLayer(OciLayoutWriter.TarOfFile("x", OciLayoutWriter.RandomBytes(100_000)));
        w.TagManifest("bad", w.AddImage([layer]));
        registry.Push(layoutDir, "bad", "test/bad");
        string data = registry.BlobData(layer.Digest);
        byte[] bytes = File.ReadAllBytes(data);
        bytes[bytes.Length / 2] ^= 0xff;
        File.WriteAllBytes(data, bytes);

        var r = cli.Run("pull", $"{registry.Host}/test/bad:bad");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(layer.Digest, r.Stderr);
        Assert.Single(r.StderrLines);
        Assert.Equal(0, cli.BlobFiles().Count);
        Assert.Equal(0, cli.TmpEntries());
        Assert.Single(Ok(cli.Run("images")).StdoutLines);
    }

    [RegistryFact]
    public void ConcurrentPullsOfTheSameImageBothSucceed()
    {
        using var registry = RegistryServer.Start();
        var w = new OciLayoutWriter(layoutDir);
        w.TagManifest("c", w.AddImage([w.AddLayer(BusyboxTar()), w.AddLayer(OciLayoutWriter.TarOfFile("c", OciLayoutWriter.RandomBytes(2_000_000)))]));
        registry.Push(layoutDir, "c", "test/c");
        string name = $"{registry.Host}/test/c:c";

        var pulls = Enumerable.Range(0, 2).Select(_ => Task.Run(() => cli.Run("pull", name))).ToArray();
        Task.WaitAll(pulls);
        foreach (var p in pulls)
        {
            Ok(p.Result);
        }

        var images = Ok(cli.Run("images"));
        Assert.Equal(2, images.StdoutLines.Count);
        Assert.Equal(4, cli.BlobFiles().Count);
        Assert.Equal(0, cli.TmpEntries());
    }

    [RegistryFact]
    public void UnknownTagIsAClearError()
    {
        using var registry = RegistryServer.Start();
        var r = cli.Run("pull", $"{registry.Host}/test/nothing:here");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("manifest unknown", r.Stderr);
        Assert.Contains($"{registry.Host}/test/nothing:here", r.Stderr);
    }
}
