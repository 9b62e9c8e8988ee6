using System.Security.Cryptography;
using MyRuntime.Images;
using MyRuntime.Images.Snapshots;
using MyRuntime.Images.Store;
using MyRuntime.Images.Unpack;
using MyRuntime.Oci.ImageSpec;
using static MyRuntime.Tests.Images.LayerTar;

namespace MyRuntime.Tests.Images;

/// <summary>Overlay snapshots over unpacked layers (root: mounts, whiteouts). Every test removes its snapshots
/// in finally, and checks /proc/self/mountinfo has nothing left.</summary>
public sealed class OverlaySnapshotTests
{
    private static readonly UnpackOptions Root = new(Privileged: true);

    private static string Layer(LayerStore store, byte[] tar) =>
        store.Ensure(Digest.Sha256(SHA256.HashData(tar)), () => new MemoryStream(tar), Root);

    [RootFact]
    public void UpperLayerDeletions_AreHidden_AndWritesGoToUpper()
    {
        using var tmp = new TempDir();
        var layout = new StoreLayout(tmp.Path);
        var store = new LayerStore(layout);
        string lower = Layer(store, Build(
            File("etc/passwd", "root:x:0:0"), File("etc/keep", "k"), File("var/cache/old", "o"),
            File("olddir/x", "x"), File("keepdir/y", "y")));
        string upper = Layer(store, Build(
            File("etc/.wh.passwd"), Dir("var/cache"), File("var/cache/.wh..wh..opq"), File("var/cache/new", "n"), File(".wh.olddir")));
        string merged = "";
        try
        {
            merged = OverlaySnapshot.Create(layout, "c1", [lower, upper]);
            Assert.Equal(Path.Combine(layout.Snapshot("c1"), "merged"), merged);
            Assert.Equal(1, MountTable.CountAt(merged));
            Assert.False(Path.Exists(Path.Combine(merged, "etc/passwd")));
            Assert.Equal("k", System.IO.File.ReadAllText(Path.Combine(merged, "etc/keep")));
            Assert.Equal(["new"], Directory.EnumerateFileSystemEntries(Path.Combine(merged, "var/cache")).Select(Path.GetFileName));
            Assert.False(Path.Exists(Path.Combine(merged, "olddir")));
            Assert.Equal("y", System.IO.File.ReadAllText(Path.Combine(merged, "keepdir/y")));

            System.IO.File.WriteAllText(Path.Combine(merged, "written"), "w");
            Assert.Equal("w", System.IO.File.ReadAllText(Path.Combine(layout.Snapshot("c1"), "upper/written")));
            Assert.False(Path.Exists(Path.Combine(lower, "written")));
            Assert.False(Path.Exists(Path.Combine(upper, "written")));
        }
        finally
        {
            OverlaySnapshot.Remove(layout, "c1");
        }

        Assert.Equal(0, MountTable.CountAt(merged));
        Assert.False(Directory.Exists(layout.Snapshot("c1")));
        Assert.True(System.IO.File.Exists(Path.Combine(lower, "etc/passwd")));
        OverlaySnapshot.Remove(layout, "c1");
    }

    [RootFact]
    public void VolatileSnapshot_MountsVolatile_AndMountsAgainAfterUnmount()
    {
        using var tmp = new TempDir();
        var layout = new StoreLayout(tmp.Path);
        var store = new LayerStore(layout);
        string lower = Layer(store, Build(File("etc/keep", "k")));
        try
        {
            string merged = OverlaySnapshot.Create(layout, "v1", [lower], volatileUpper: true);
            string options = System.IO.File.ReadAllLines("/proc/self/mountinfo").Single(l => l.Split(' ')[4] == merged);
            Assert.Contains("volatile", options, StringComparison.Ordinal);
            System.IO.File.WriteAllText(Path.Combine(merged, "w"), "w");
            OverlaySnapshot.Unmount(layout, "v1");
            Assert.Equal(0, MountTable.CountAt(merged));
            Assert.Equal(merged, OverlaySnapshot.Remount(layout, "v1", [lower], volatileUpper: true));
            Assert.Equal("w", System.IO.File.ReadAllText(Path.Combine(merged, "w")));
            Assert.Equal("k", System.IO.File.ReadAllText(Path.Combine(merged, "etc/keep")));
        }
        finally
        {
            OverlaySnapshot.Remove(layout, "v1");
        }

        Assert.False(Directory.Exists(layout.Snapshot("v1")));
    }

    [RootFact]
    public void TwoHundredLayers_MountBeyondOnePageOfOptions()
    {
        using var tmp = new TempDir();
        var layout = new StoreLayout(tmp.Path);
        var store = new LayerStore(layout);
        var layers = Enumerable.Range(0, 200).Select(i => Layer(store, Build(File($"layer{i}", $"{i}"), File("top", $"{i}")))).ToList();
        Assert.True(OverlaySnapshot.Options(layers, "u", "w").Length > 4096);
        try
        {
            string merged = OverlaySnapshot.Create(layout, "many", layers);
            Assert.Equal("0", System.IO.File.ReadAllText(Path.Combine(merged, "layer0")));
            Assert.Equal("199", System.IO.File.ReadAllText(Path.Combine(merged, "layer199")));
            Assert.Equal("199", System.IO.File.ReadAllText(Path.Combine(merged, "top")));
        }
        finally
        {
            OverlaySnapshot.Remove(layout, "many");
        }

        Assert.Equal(0, MountTable.CountAt(Path.Combine(layout.Snapshot("many"), "merged")));
    }

    [RootFact]
    public void OlderKernelFallback_NamesLowersByFd()
    {
        using var tmp = new TempDir();
        var layout = new StoreLayout(tmp.Path);
        var store = new LayerStore(layout);
        var layers = Enumerable.Range(0, 120).Select(i => Layer(store, Build(File($"layer{i}", $"{i}"), File("top", $"{i}")))).ToList();
        string dir = tmp.Dir("fallback");
        string merged = Directory.CreateDirectory(Path.Combine(dir, "merged")).FullName;
        try
        {
            OverlaySnapshot.Mount([.. Enumerable.Reverse(layers)], tmp.Dir("fallback/upper"), tmp.Dir("fallback/work"), merged, "fallback", allowNewApi: false);
            Assert.Equal("0", System.IO.File.ReadAllText(Path.Combine(merged, "layer0")));
            Assert.Equal("119", System.IO.File.ReadAllText(Path.Combine(merged, "top")));
        }
        finally
        {
            while (MountTable.CountAt(merged) > 0 && MyRuntime.Linux.Mounts.TryUnmount(merged, MyRuntime.Linux.Mounts.MNT_DETACH) == 0)
            {
            }
        }

        Assert.Equal(0, MountTable.CountAt(merged));
    }

    [RootFact]
    public void NoLayers_GivesAnEmptyWritableRoot()
    {
        using var tmp = new TempDir();
        var layout = new StoreLayout(tmp.Path);
        try
        {
            string merged = OverlaySnapshot.Create(layout, "empty", []);
            Assert.Empty(Directory.EnumerateFileSystemEntries(merged));
            System.IO.File.WriteAllText(Path.Combine(merged, "f"), "f");
            Assert.Throws<ImagesException>(() => OverlaySnapshot.Create(layout, "empty", []));
        }
        finally
        {
            OverlaySnapshot.Remove(layout, "empty");
        }

        Assert.False(Directory.Exists(layout.Snapshot("empty")));
    }

    [RootFact]
    public void Remove_DetachesABusyMount()
    {
        using var tmp = new TempDir();
        var layout = new StoreLayout(tmp.Path);
        string merged = "";
        try
        {
            merged = OverlaySnapshot.Create(layout, "busy", []);
            using var open = new FileStream(Path.Combine(merged, "held"), FileMode.Create);
            string cwdHolder = Directory.CreateDirectory(Path.Combine(merged, "d")).FullName;
            using var dirHandle = System.IO.File.OpenHandle(Path.Combine(merged, "held"));
            OverlaySnapshot.Remove(layout, "busy");
            Assert.Equal(0, MountTable.CountAt(merged));
            Assert.False(Directory.Exists(layout.Snapshot("busy")));
            Assert.False(Path.Exists(cwdHolder));
        }
        finally
        {
            OverlaySnapshot.Remove(layout, "busy");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("x\0y")]
    public void BadIds_AreRefused(string id)
    {
        using var tmp = new TempDir();
        var layout = new StoreLayout(tmp.Path);
        Assert.Throws<ImagesException>(() => OverlaySnapshot.Create(layout, id, []));
        Assert.Throws<ImagesException>(() => OverlaySnapshot.Remove(layout, id));
    }
}
