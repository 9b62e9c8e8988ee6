using System.Security.Cryptography;
using MyRuntime.Images;
using MyRuntime.Images.Store;
using MyRuntime.Images.Unpack;
using MyRuntime.Oci.ImageSpec;
using static MyRuntime.Tests.Images.LayerTar;

namespace MyRuntime.Tests.Images;

public sealed class LayerStoreTests
{
    private static readonly UnpackOptions Options = new(Privileged: false);

    private static Digest DiffId(byte[] tar) => Digest.Sha256(SHA256.HashData(tar));

    [Fact]
    public void Ensure_UnpacksOnce_AtTheLayoutPath()
    {
        using var tmp = new TempDir();
        var store = new LayerStore(new StoreLayout(tmp.Path));
        byte[] tar = Build(Dir("etc"), File("etc/os-release", "ID=test"));
        int opened = 0;
        Stream Open()
        {
            opened++;
            return new MemoryStream(Gzip(tar));
        }

        string diff = store.Ensure(DiffId(tar), Open, Options);
        Assert.Equal(Path.Combine(tmp.Path, "layers", "sha256", DiffId(tar).Hex, "diff"), diff);
        Assert.Equal("ID=test", System.IO.File.ReadAllText(Path.Combine(diff, "etc/os-release")));
        Assert.Equal(diff, store.Ensure(DiffId(tar), Open, Options));
        Assert.Equal(1, opened);
        Assert.Equal([DiffId(tar)], store.List());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(tmp.Path, "tmp")));
    }

    [Fact]
    public void WrongDiffId_IsRefused_AndLeavesNothing()
    {
        using var tmp = new TempDir();
        var store = new LayerStore(new StoreLayout(tmp.Path));
        byte[] tar = Build(File("a", "a"));
        var wrong = DiffId(Build(File("b", "b")));
        var e = Assert.Throws<ImagesException>(() => store.Ensure(wrong, () => new MemoryStream(tar), Options));
        Assert.Contains(DiffId(tar).ToString(), e.Message, StringComparison.Ordinal);
        Assert.False(store.Contains(wrong));
        Assert.Empty(store.List());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(tmp.Path, "tmp")));
    }

    [Fact]
    public void HostileLayer_LeavesNothing()
    {
        using var tmp = new TempDir();
        var store = new LayerStore(new StoreLayout(tmp.Dir("store")));
        byte[] tar = Build(File("ok", "fine"), Symlink("evil", ".."), File("evil/pwned"));
        Assert.Throws<ImagesException>(() => store.Ensure(DiffId(tar), () => new MemoryStream(tar), Options));
        Assert.Empty(store.List());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(tmp.Path, "store/tmp")));
        Assert.Equal(["store"], Directory.EnumerateFileSystemEntries(tmp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ConcurrentEnsure_OneCopyWins()
    {
        using var tmp = new TempDir();
        var store = new LayerStore(new StoreLayout(tmp.Path));
        byte[] tar = Build([.. Enumerable.Range(0, 50).Select(i => File($"f{i}", new string('x', 10_000)))]);
        using var both = new Barrier(2);
        Stream Open()
        {
            both.SignalAndWait(TimeSpan.FromSeconds(30));
            return new MemoryStream(tar);
        }

        string[] paths = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => store.Ensure(DiffId(tar), Open, Options))));
        Assert.Equal(paths[0], paths[1]);
        Assert.Equal(50, Directory.EnumerateFiles(paths[0]).Count());
        Assert.Single(store.List());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(tmp.Path, "tmp")));
    }

    [Fact]
    public void Remove_DeletesReadOnlyTrees_WithoutFollowingSymlinks()
    {
        using var tmp = new TempDir();
        string outside = tmp.Dir("outside");
        System.IO.File.WriteAllText(Path.Combine(outside, "keep"), "keep");
        var store = new LayerStore(new StoreLayout(tmp.Dir("store")));
        byte[] tar = Build(Dir("ro/sub", (UnixFileMode)0x16d), File("ro/sub/f"), Dir("ro", (UnixFileMode)0x16d), Symlink("out", outside), Symlink("ro/out", outside + "/keep"));
        var id = DiffId(tar);
        store.Ensure(id, () => new MemoryStream(tar), Options);
        store.Remove(id);
        store.Remove(id);
        Assert.Empty(store.List());
        Assert.False(Directory.Exists(new StoreLayout(tmp["store"]).Layer(id)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(tmp.Path, "store/tmp")));
        Assert.Equal("keep", System.IO.File.ReadAllText(Path.Combine(outside, "keep")));
    }

    [Fact]
    public void TempDirectories_AreNeverLayers()
    {
        using var tmp = new TempDir();
        var layout = new StoreLayout(tmp.Path);
        var store = new LayerStore(layout);
        Directory.CreateDirectory(Path.Combine(layout.Tmp, "layer-1-abc", "diff"));
        Directory.CreateDirectory(Path.Combine(layout.Layers, "sha256", "not-a-digest", "diff"));
        Assert.Empty(store.List());
    }
}
