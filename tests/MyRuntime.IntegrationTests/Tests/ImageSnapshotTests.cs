using System.Formats.Tar;
using MyRuntime.IntegrationTests.Infrastructure;
using MyRuntime.IntegrationTests.Infrastructure.Registry;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>A pulled image's layers unpacked once, mounted as an overlay snapshot, and run as a container's rootfs:
/// what an upper layer deletes is gone; rmi keeps what a snapshot stands on.</summary>
public sealed class ImageSnapshotTests : IntegrationTest
{
    private readonly ImageCli cli = new();

    public override void Dispose()
    {
        cli.Dispose();
        base.Dispose();
    }

    private static ProcResult Ok(ProcResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    /// <summary>A tar of directories (names ending in '/') and files (with their text).</summary>
    private static byte[] Tar(params (string Name, string? Text)[] entries)
    {
        using var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, text) in entries)
            {
                bool dir = name.EndsWith('/');
                var e = new PaxTarEntry(dir ? TarEntryType.Directory : TarEntryType.RegularFile, name) { Mode = (UnixFileMode)(dir ? 0x1ed : 0x1a4) };
                if (!dir)
                {
                    e.DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text ?? ""));
                }

                w.WriteEntry(e);
            }
        }

        return ms.ToArray();
    }

    private string PushWhiteoutImage(RegistryServer registry)
    {
        var w = new OciLayoutWriter(Path.Combine(cli.Dir, "layout"));
        var busybox = w.AddLayer(OciLayoutWriter.TarOfDirectory(TestSettings.ImageRootfs));
        var base1 = w.AddLayer(Tar(("data/", null), ("data/keep", "kept"), ("data/gone", "deleted above"), ("olddir/", null), ("olddir/x", "x"), ("opq/", null), ("opq/a", "hidden by opaque")));
        var upper = w.AddLayer(Tar(("data/.wh.gone", null), (".wh.olddir", null), ("opq/", null), ("opq/.wh..wh..opq", null), ("opq/b", "new"), ("added", "in the top layer")));
        w.TagManifest("v1", w.AddImage([busybox, base1, upper]));
        registry.Push(w.Dir, "v1", "test/whiteouts");
        return $"{registry.Host}/test/whiteouts:v1";
    }

    [RegistryFact]
    public void DeletionsOfAnUpperLayer_AreGoneInTheContainersRootfs()
    {
        using var registry = RegistryServer.Start();
        string name = PushWhiteoutImage(registry);
        var pull = Ok(cli.Run("pull", name));
        Assert.Contains("Pull complete", pull.Stdout);
        Assert.Equal(3, Directory.GetDirectories(Path.Combine(cli.StorageRoot, "layers", "sha256")).Length);

        string snapshot = "it-" + Env.Token;
        string merged = Ok(cli.Run("image", "mount", "--name", snapshot, name)).Stdout.Trim();
        try
        {
            Assert.Equal(Path.Combine(cli.StorageRoot, "snapshots", snapshot, "merged"), merged);
            var b = Env.NewBundle();
            b.Config["root"]!["path"] = merged;
            b.Config["root"]!["readonly"] = false;
            b.Shell("for p in /data/keep /data/gone /olddir /olddir/x /opq/a /opq/b /added; do if [ -e $p ]; then echo present $p; else echo absent $p; fi; done; echo written > /data/new").Save();
            var run = Env.RunOk("run", "-b", b.Dir, Env.NewId());
            Assert.Equal(
                ["present /data/keep", "absent /data/gone", "absent /olddir", "absent /olddir/x", "absent /opq/a", "present /opq/b", "present /added"],
                run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

            // The container wrote into the snapshot's upper dir, not into a shared layer.
            Assert.Equal("written\n", File.ReadAllText(Path.Combine(cli.StorageRoot, "snapshots", snapshot, "upper", "data", "new")));
            Assert.Empty(Directory.GetFiles(Path.Combine(cli.StorageRoot, "layers"), "new", SearchOption.AllDirectories));

            // An image a snapshot stands on is not removed.
            var rmi = cli.Run("rmi", name);
            Assert.NotEqual(0, rmi.ExitCode);
            Assert.Contains($"snapshot {snapshot} is using image", rmi.Stderr);
        }
        finally
        {
            cli.Run("image", "unmount", snapshot);
        }

        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains(merged, StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(cli.StorageRoot, "snapshots", snapshot)));

        // Once unmounted, rmi removes the image with its blobs and its unpacked layers.
        Ok(cli.Run("rmi", name));
        Assert.Equal(0, cli.BlobFiles().Count);
        Assert.Empty(Directory.GetDirectories(Path.Combine(cli.StorageRoot, "layers", "sha256")));
    }

    [RegistryFact]
    public void SharedLayerIsUnpackedOnce_AndStaysWhileAnotherImageUsesIt()
    {
        using var registry = RegistryServer.Start();
        var w = new OciLayoutWriter(Path.Combine(cli.Dir, "layout"));
        var shared = w.AddLayer(OciLayoutWriter.TarOfDirectory(TestSettings.ImageRootfs));
        var a = w.AddLayer(OciLayoutWriter.TarOfFile("a", OciLayoutWriter.RandomBytes(1000)));
        var c = w.AddLayer(OciLayoutWriter.TarOfFile("c", OciLayoutWriter.RandomBytes(1000)));
        w.TagManifest("a", w.AddImage([shared, a]));
        w.TagManifest("c", w.AddImage([shared, c]));
        registry.Push(w.Dir, "a", "test/a");
        registry.Push(w.Dir, "c", "test/c");
        Ok(cli.Run("pull", $"{registry.Host}/test/a:a"));
        Ok(cli.Run("pull", $"{registry.Host}/test/c:c"));

        string layers = Path.Combine(cli.StorageRoot, "layers", "sha256");
        Assert.Equal(3, Directory.GetDirectories(layers).Length);
        string sharedDir = Path.Combine(layers, shared.DiffId[7..]);
        Assert.True(File.Exists(Path.Combine(sharedDir, "diff", "bin", "busybox")));

        Ok(cli.Run("rmi", $"{registry.Host}/test/a:a"));
        Assert.True(Directory.Exists(sharedDir));
        Assert.False(Directory.Exists(Path.Combine(layers, a.DiffId[7..])));
        Assert.Equal(2, Directory.GetDirectories(layers).Length);
    }
}
