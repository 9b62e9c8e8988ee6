using System.Security.Cryptography;
using MyRuntime.IntegrationTests.Infrastructure;
using MyRuntime.IntegrationTests.Infrastructure.Registry;
using Xunit.Abstractions;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>pull under stress: killed with SIGKILL at several moments (the store never holds anything incomplete
/// and the next pull finishes the job), zstd and uncompressed layers pushed through the registry API, and a layer
/// whose content is not its diff id.</summary>
public sealed class ImagePullRobustnessTests(ITestOutputHelper output)
{
    private const int LayerCount = 3;
    private const int LayerBytes = 20 * 1024 * 1024;

    private static ProcResult Ok(ProcResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    private static string LayerDir(ImageCli cli, string diffId) => Path.Combine(cli.StorageRoot, "layers", "sha256", diffId["sha256:".Length..]);

    [RegistryFact]
    public void PullKilledAtAnyMoment_LeavesNothingTakenForComplete_AndTheNextPullFinishes()
    {
        using var registry = RegistryServer.Start();
        string layoutDir = Path.Combine(registry.Dir, "layout");
        var w = new OciLayoutWriter(layoutDir);
        var contents = Enumerable.Range(0, LayerCount).Select(_ => OciLayoutWriter.RandomBytes(LayerBytes)).ToArray();
        var layers = contents.Select((c, i) => w.AddLayer(OciLayoutWriter.TarOfFile($"layer{i}.bin", c))).ToArray();
        w.TagManifest("big", w.AddImage(layers));
        registry.Push(layoutDir, "big", "test/big");
        string name = $"{registry.Host}/test/big:big";

        // (what, when to kill): after a delay, or at the first line of a state.
        var points = new (string What, Func<PullProcess, bool> Wait)[]
        {
            ("50 ms", _ => Sleep(50)),
            ("200 ms", _ => Sleep(200)),
            ("500 ms", _ => Sleep(500)),
            ("first Download complete", p => p.WaitForLine("Download complete", TimeSpan.FromSeconds(60))),
            ("first Pull complete", p => p.WaitForLine("Pull complete", TimeSpan.FromSeconds(60))),
        };
        foreach (var (what, wait) in points)
        {
            using var cli = new ImageCli();
            bool killedWhileRunning;
            IReadOnlyList<string> lines;
            using (var pull = new PullProcess(cli, name))
            {
                wait(pull);
                killedWhileRunning = pull.KillNow();
                lines = pull.Lines;
            }

            string context = $"killed at {what} (still running: {killedWhileRunning}); stdout so far:\n{string.Join('\n', lines)}";
            output.WriteLine($"killed at {what}: running {killedWhileRunning}, {lines.Count} stdout lines, {cli.BlobFiles().Count} blobs, " +
                $"{LayersIn(cli)} layers, {cli.TmpEntries()} tmp entries");
            CheckStoreAfterKill(cli, layers, context);

            var listed = Ok(cli.Run("images", "-q")).StdoutLines;
            bool recorded = listed.Count > 0;
            Assert.True(recorded || killedWhileRunning, $"a pull that exited by itself must have recorded the image; {context}");
            if (recorded)
            {
                // The record was written before the kill: then the image must be whole.
                Assert.Single(listed);
                CheckComplete(cli, layers, contents, context);
            }

            var again = Ok(cli.Run("pull", name));
            Assert.Contains($"Status: ", again.Stdout);
            Assert.Single(Ok(cli.Run("images", "-q")).StdoutLines);
            var table = Ok(cli.Run("images")).StdoutLines;
            Assert.Single(table, l => l.StartsWith($"{registry.Host}/test/big ", StringComparison.Ordinal));
            CheckStoreAfterKill(cli, layers, context);
            CheckComplete(cli, layers, contents, context);
            Assert.True(cli.TmpEntries() == 0,
                $"tmp/ after the next pull: {string.Join(", ", Directory.GetFileSystemEntries(Path.Combine(cli.StorageRoot, "tmp")))}; {context}");
        }
    }

    private static int LayersIn(ImageCli cli)
    {
        string root = Path.Combine(cli.StorageRoot, "layers", "sha256");
        return Directory.Exists(root) ? Directory.GetDirectories(root).Length : 0;
    }

    private static bool Sleep(int ms)
    {
        Thread.Sleep(ms);
        return true;
    }

    /// <summary>Every blob has the digest its name says; every layer directory has its diff/ and, for this image's
    /// layers, the whole file.</summary>
    private static void CheckStoreAfterKill(ImageCli cli, LayerBlob[] layers, string context)
    {
        string blobs = Path.Combine(cli.StorageRoot, "blobs", "sha256");
        if (Directory.Exists(blobs))
        {
            foreach (string f in Directory.GetFiles(blobs))
            {
                using var s = File.OpenRead(f);
                Assert.True(Path.GetFileName(f) == Convert.ToHexStringLower(SHA256.HashData(s)), $"blob {f} does not have the digest its name says; {context}");
            }
        }

        string layerRoot = Path.Combine(cli.StorageRoot, "layers", "sha256");
        if (Directory.Exists(layerRoot))
        {
            foreach (string d in Directory.GetDirectories(layerRoot))
            {
                Assert.True(Directory.Exists(Path.Combine(d, "diff")), $"layer {d} has no diff/; {context}");
                int i = Array.FindIndex(layers, l => l.DiffId.EndsWith(Path.GetFileName(d), StringComparison.Ordinal));
                Assert.True(i >= 0, $"layer {d} is none of the image's; {context}");
                var file = new FileInfo(Path.Combine(d, "diff", $"layer{i}.bin"));
                Assert.True(file.Exists && file.Length == LayerBytes, $"layer {d} is incomplete; {context}");
            }
        }
    }

    /// <summary>All the image's blobs and unpacked layers are in the store, with the right contents.</summary>
    private static void CheckComplete(ImageCli cli, LayerBlob[] layers, byte[][] contents, string context)
    {
        for (int i = 0; i < layers.Length; i++)
        {
            Assert.True(File.Exists(Path.Combine(cli.StorageRoot, "blobs", "sha256", layers[i].Digest[7..])), $"blob of layer {i} missing; {context}");
            string file = Path.Combine(LayerDir(cli, layers[i].DiffId), "diff", $"layer{i}.bin");
            Assert.True(File.Exists(file), $"layer {i} not unpacked; {context}");
            Assert.True(contents[i].AsSpan().SequenceEqual(File.ReadAllBytes(file)), $"layer {i} has other contents; {context}");
        }
    }

    [RegistryFact]
    public void ZstdAndUncompressedLayers_PulledFromTheRegistry_AreAllInTheMergedTree()
    {
        using var registry = RegistryServer.Start();
        using var cli = new ImageCli();
        using var api = new RegistryApiPusher(registry);
        byte[] busybox = OciLayoutWriter.TarOfDirectory(TestSettings.ImageRootfs);
        byte[] zstdText = OciLayoutWriter.RandomBytes(200_000);
        byte[] plainText = OciLayoutWriter.RandomBytes(150_000);
        byte[] zstdTar = OciLayoutWriter.TarOfFile("from-zstd.bin", zstdText);
        byte[] plainTar = OciLayoutWriter.TarOfFile("from-plain.bin", plainText);
        byte[] zstdBlob;
        using (var z = new ZstdSharp.Compressor(3))
        {
            zstdBlob = z.Wrap(zstdTar).ToArray();
        }

        api.PushImage("test/mixed", "v1",
        [
            new ApiLayer(Gzip(busybox), "application/vnd.oci.image.layer.v1.tar+gzip", RegistryApiPusher.Sha256(busybox)),
            new ApiLayer(zstdBlob, "application/vnd.oci.image.layer.v1.tar+zstd", RegistryApiPusher.Sha256(zstdTar)),
            new ApiLayer(plainTar, "application/vnd.oci.image.layer.v1.tar", RegistryApiPusher.Sha256(plainTar)),
        ]);
        string name = $"{registry.Host}/test/mixed:v1";
        Ok(cli.Run("pull", name));
        Assert.Single(Ok(cli.Run("images", "-q")).StdoutLines);

        string snapshot = "it-" + Guid.NewGuid().ToString("N")[..10];
        try
        {
            string merged = Ok(cli.Run("image", "mount", "--name", snapshot, name)).Stdout.Trim();
            Assert.True(Directory.Exists(merged), merged);
            string busyboxBin = Path.Combine(TestSettings.ImageRootfs, "bin", "busybox");
            Assert.Equal(File.ReadAllBytes(busyboxBin), File.ReadAllBytes(Path.Combine(merged, "bin", "busybox")));
            Assert.Equal(zstdText, File.ReadAllBytes(Path.Combine(merged, "from-zstd.bin")));
            Assert.Equal(plainText, File.ReadAllBytes(Path.Combine(merged, "from-plain.bin")));
        }
        finally
        {
            cli.Run("image", "unmount", snapshot);
        }
    }

    [RegistryFact]
    public void LayerWhoseContentIsNotItsDiffId_FailsTheWholePull_AndLeavesNoLayer()
    {
        using var registry = RegistryServer.Start();
        using var cli = new ImageCli();
        using var api = new RegistryApiPusher(registry);
        byte[] tar = OciLayoutWriter.TarOfFile("x.bin", OciLayoutWriter.RandomBytes(100_000));
        string wrongDiffId = "sha256:" + Convert.ToHexStringLower(OciLayoutWriter.RandomBytes(32));
        api.PushImage("test/wrongdiff", "v1", [new ApiLayer(Gzip(tar), "application/vnd.oci.image.layer.v1.tar+gzip", wrongDiffId)]);

        var r = cli.Run("pull", $"{registry.Host}/test/wrongdiff:v1");
        Assert.NotEqual(0, r.ExitCode);
        output.WriteLine(r.ToString());
        Assert.Contains(wrongDiffId, r.Stderr);
        Assert.Single(r.StderrLines);
        Assert.Empty(Ok(cli.Run("images", "-q")).StdoutLines);
        string layers = Path.Combine(cli.StorageRoot, "layers");
        Assert.True(!Directory.Exists(layers) || Directory.GetFileSystemEntries(layers, "*", SearchOption.AllDirectories).Length == 0,
            $"layers/ holds {string.Join(", ", Directory.Exists(layers) ? Directory.GetFileSystemEntries(layers, "*", SearchOption.AllDirectories) : [])}");
        Assert.Equal(0, cli.TmpEntries());
    }

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var z = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(data);
        }

        return ms.ToArray();
    }
}
