using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using MyRuntime.Images;
using MyRuntime.Images.Archive;
using MyRuntime.Images.Content;
using MyRuntime.Images.Pull;
using MyRuntime.Images.Registry;
using MyRuntime.Images.Store;
using MyRuntime.Oci;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Tests.Images;

public class ImageArchiveTests
{
    private static readonly byte[] Base = ArchiveBuilder.LayerTar("etc/base", "base");
    private static readonly byte[] Top = ArchiveBuilder.LayerTar("etc/top", "top");

    private static List<LoadedImage> Load(StoreLayout layout, byte[] archive, ILayerUnpacker? unpacker = null) =>
        new ImageLoader(layout, unpacker).LoadAsync(new MemoryStream(archive), PlatformSelector.Parse("linux/amd64"), new SilentProgress(), CancellationToken.None)
            .GetAwaiter().GetResult();

    /// <summary>A docker-archive in the legacy layout: HEX.json config, HEX/layer.tar layers (the second gzipped).</summary>
    private static byte[] DockerArchive(string tags = "[\"busybox:1\"]", byte[]? topLayer = null)
    {
        string config = ArchiveBuilder.Config(Base, Top);
        string configName = ArchiveBuilder.DigestOf(Encoding.UTF8.GetBytes(config))[7..] + ".json";
        return new ArchiveBuilder()
            .File(configName, config)
            .File("aaa/layer.tar", Base)
            .File("bbb/layer.tar", topLayer ?? ArchiveBuilder.Gzip(Top))
            .File("manifest.json", $"[{{\"Config\":\"{configName}\",\"RepoTags\":{tags},\"Layers\":[\"aaa/layer.tar\",\"bbb/layer.tar\"]}}]")
            .Build();
    }

    /// <summary>An OCI layout whose index.json points at an index of two platforms; layers zstd and gzip.</summary>
    private static byte[] OciLayout(string annotations)
    {
        var b = new ArchiveBuilder();
        byte[] config = Encoding.UTF8.GetBytes(ArchiveBuilder.Config(Base, Top));
        byte[] l1 = ArchiveBuilder.Zstd(Base);
        byte[] l2 = ArchiveBuilder.Gzip(Top);
        string manifest = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciManifest}\",\"config\":{{\"mediaType\":\"{MediaTypes.OciConfig}\",\"digest\":\"{b.Blob(config)}\",\"size\":{config.Length}}},"
            + $"\"layers\":[{{\"mediaType\":\"{MediaTypes.OciLayerZstd}\",\"digest\":\"{b.Blob(l1)}\",\"size\":{l1.Length}}},{{\"mediaType\":\"{MediaTypes.OciLayerGzip}\",\"digest\":\"{b.Blob(l2)}\",\"size\":{l2.Length}}}]}}";
        byte[] armConfig = Encoding.UTF8.GetBytes(ArchiveBuilder.Config(Base).Replace("amd64", "arm64", StringComparison.Ordinal));
        string armManifest = $"{{\"schemaVersion\":2,\"config\":{{\"mediaType\":\"{MediaTypes.OciConfig}\",\"digest\":\"{b.Blob(armConfig)}\",\"size\":{armConfig.Length}}},"
            + $"\"layers\":[{{\"mediaType\":\"{MediaTypes.OciLayer}\",\"digest\":\"{b.Blob(Base)}\",\"size\":{Base.Length}}}]}}";
        byte[] m = Encoding.UTF8.GetBytes(manifest);
        byte[] arm = Encoding.UTF8.GetBytes(armManifest);
        string inner = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciIndex}\",\"manifests\":["
            + $"{{\"mediaType\":\"{MediaTypes.OciManifest}\",\"digest\":\"{b.Blob(arm)}\",\"size\":{arm.Length},\"platform\":{{\"os\":\"linux\",\"architecture\":\"arm64\"}}}},"
            + $"{{\"mediaType\":\"{MediaTypes.OciManifest}\",\"digest\":\"{b.Blob(m)}\",\"size\":{m.Length},\"platform\":{{\"os\":\"linux\",\"architecture\":\"amd64\"}}}}]}}";
        byte[] innerBytes = Encoding.UTF8.GetBytes(inner);
        return b.File("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
            .File("index.json", $"{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"{MediaTypes.OciIndex}\",\"digest\":\"{b.Blob(innerBytes)}\",\"size\":{innerBytes.Length},\"annotations\":{annotations}}}]}}")
            .Build();
    }

    private static void AssertStoreEmpty(StoreLayout layout)
    {
        Assert.Empty(new ImageStore(layout).List());
        Assert.False(Directory.Exists(layout.Blobs) && Directory.EnumerateFiles(layout.Blobs, "*", SearchOption.AllDirectories).Any(), "blobs were stored");
        Assert.False(Directory.Exists(layout.Tmp) && Directory.EnumerateFileSystemEntries(layout.Tmp).Any(), "tmp/ is not empty");
    }

    [Fact]
    public void LoadsLegacyDockerArchive()
    {
        using var dir = new TempDir();
        var layout = new StoreLayout(dir.Path);
        var loaded = Assert.Single(Load(layout, DockerArchive()));
        Assert.Equal(["Loaded image: busybox:1"], loaded.Lines);
        var store = new ImageStore(layout);
        var record = store.Resolve("busybox:1", out _)!;
        Assert.Equal(ArchiveBuilder.DigestOf(Encoding.UTF8.GetBytes(ArchiveBuilder.Config(Base, Top))), record.Id);
        Assert.Equal([ArchiveBuilder.DigestOf(Base), ArchiveBuilder.DigestOf(Top)], record.DiffIds);
        Assert.Equal(MediaTypes.OciLayer, record.Layers[0].MediaType);
        Assert.Equal(MediaTypes.OciLayerGzip, record.Layers[1].MediaType);
        foreach (var blob in record.Blobs())
        {
            Assert.True(store.Blobs.Contains(blob), $"{blob} not stored");
        }

        Assert.False(Directory.EnumerateFileSystemEntries(layout.Tmp).Any());
    }

    [Fact]
    public void LoadsLayersThroughLinksInsideTheArchive()
    {
        // skopeo's docker-archive: HEX/layer.tar is a symlink to ../HEX.tar.
        string config = ArchiveBuilder.Config(Base);
        string configName = ArchiveBuilder.DigestOf(Encoding.UTF8.GetBytes(config))[7..] + ".json";
        byte[] archive = new ArchiveBuilder().Symlink("l/layer.tar", "../l.tar").File("l.tar", Base).File(configName, config)
            .File("manifest.json", $"[{{\"Config\":\"{configName}\",\"RepoTags\":[\"x:1\"],\"Layers\":[\"l/layer.tar\"]}}]").Build();
        using var dir = new TempDir();
        var loaded = Assert.Single(Load(new StoreLayout(dir.Path), archive));
        Assert.Equal([ArchiveBuilder.DigestOf(Base)], loaded.Record.DiffIds);
    }

    [Fact]
    public void LoadsOciLayoutChoosingAmd64AndNamingFromAnnotations()
    {
        using var dir = new TempDir();
        var layout = new StoreLayout(dir.Path);
        var loaded = Assert.Single(Load(layout, OciLayout("{\"io.containerd.image.name\":\"example.com/app:v2\",\"org.opencontainers.image.ref.name\":\"v2\"}")));
        Assert.Equal(["Loaded image: example.com/app:v2"], loaded.Lines);
        Assert.Equal("amd64", loaded.Record.Architecture);
        Assert.Equal(MediaTypes.OciLayerZstd, loaded.Record.Layers[0].MediaType);
        Assert.Equal(2, loaded.Record.DiffIds.Count);

        using var dir2 = new TempDir();
        var untagged = Assert.Single(Load(new StoreLayout(dir2.Path), OciLayout("{\"org.opencontainers.image.ref.name\":\"v2\"}")));
        Assert.Equal([$"Loaded image ID: {untagged.Record.Id}"], untagged.Lines);
        Assert.Empty(untagged.Record.RepoTags);
    }

    [Fact]
    public void LoadCallsTheUnpackHookBeforeTheRecordIsWritten()
    {
        using var dir = new TempDir();
        var layout = new StoreLayout(dir.Path);
        var hook = new RecordingUnpacker(layout);
        Load(layout, DockerArchive(), hook);
        var image = Assert.Single(hook.Images);
        Assert.Equal("docker.io/library/busybox:1", image.Reference.ToString());
        Assert.Equal([ArchiveBuilder.DigestOf(Base), ArchiveBuilder.DigestOf(Top)], image.Layers.Select(l => l.DiffId.ToString()));
        Assert.All(image.Layers, l => Assert.True(File.Exists(l.BlobPath)));
        Assert.False(hook.RecordExisted);
    }

    public static TheoryData<string, byte[]> HostileArchives()
    {
        string config = ArchiveBuilder.Config(Base);
        string configName = ArchiveBuilder.DigestOf(Encoding.UTF8.GetBytes(config))[7..] + ".json";
        string manifest(string layer) => $"[{{\"Config\":\"{configName}\",\"RepoTags\":[\"x:1\"],\"Layers\":[\"{layer}\"]}}]";
        var good = new ArchiveBuilder().File(configName, config).File("l/layer.tar", Base);
        return new TheoryData<string, byte[]>
        {
            { "..", new ArchiveBuilder().File(configName, config).File("../l/layer.tar", Base).File("manifest.json", manifest("../l/layer.tar")).Build() },
            { "absolute", new ArchiveBuilder().File(configName, config).File("/l/layer.tar", Base).File("manifest.json", manifest("/l/layer.tar")).Build() },
            { "symlink", new ArchiveBuilder().File(configName, config).Symlink("l/layer.tar", "/etc/passwd").File("manifest.json", manifest("l/layer.tar")).Build() },
            { "symlink climbing out", new ArchiveBuilder().File(configName, config).Symlink("l/layer.tar", "../../l.tar").File("manifest.json", manifest("l/layer.tar")).Build() },
            { "symlink to nothing", new ArchiveBuilder().File(configName, config).Symlink("l/layer.tar", "../none.tar").File("manifest.json", manifest("l/layer.tar")).Build() },
            { "points outside", good.File("manifest.json", manifest("../../etc/passwd")).Build() },
            { "missing blob", new ArchiveBuilder().File(configName, config).File("manifest.json", manifest("l/layer.tar")).Build() },
            { "wrong diff id", new ArchiveBuilder().File(configName, config).File("l/layer.tar", Top).File("manifest.json", manifest("l/layer.tar")).Build() },
            { "config name lies", new ArchiveBuilder().File(new string('0', 64) + ".json", config).File("l/layer.tar", Base)
                .File("manifest.json", manifest("l/layer.tar").Replace(configName, new string('0', 64) + ".json", StringComparison.Ordinal)).Build() },
            { "blob digest lies", new ArchiveBuilder().File(configName, config).File("blobs/sha256/" + new string('1', 64), Base)
                .File("manifest.json", manifest("blobs/sha256/" + new string('1', 64))).Build() },
            { "not a tar", Encoding.UTF8.GetBytes(new string('x', 2000)) },
            { "neither format", new ArchiveBuilder().File("hello", "world").Build() },
        };
    }

    [Theory]
    [MemberData(nameof(HostileArchives))]
    public void RefusesHostileArchivesStoringNothing(string what, byte[] archive)
    {
        using var dir = new TempDir();
        var layout = new StoreLayout(dir.Path);
        var e = Assert.Throws<ImagesException>(() => Load(layout, archive));
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(string.IsNullOrEmpty(what));
        AssertStoreEmpty(layout);
    }

    [Fact]
    public void RefusesOciBlobWithWrongContent()
    {
        byte[] archive = OciLayout("{}");
        // Corrupt one byte of the gzip layer's blob: find the gzip magic inside the tar and flip a later byte.
        int at = FindGzip(archive);
        archive[at + 20] ^= 0xff;
        using var dir = new TempDir();
        var layout = new StoreLayout(dir.Path);
        var e = Assert.Throws<ImagesException>(() => Load(layout, archive));
        Assert.Contains("digest", e.Message, StringComparison.Ordinal);
        AssertStoreEmpty(layout);
    }

    private static int FindGzip(byte[] tar)
    {
        for (int i = 512; i < tar.Length - 1; i += 512)
        {
            if (tar[i] == 0x1f && tar[i + 1] == 0x8b)
            {
                return i;
            }
        }

        throw new InvalidOperationException("no gzip blob in the archive");
    }

    [Theory]
    [InlineData(ArchiveFormat.Combined)]
    [InlineData(ArchiveFormat.DockerArchive)]
    [InlineData(ArchiveFormat.OciArchive)]
    public void SaveThenLoadRoundTripsTheImageId(ArchiveFormat format)
    {
        using var dir = new TempDir();
        var source = new StoreLayout(dir["a"]);
        var original = Assert.Single(Load(source, OciLayout("{\"io.containerd.image.name\":\"example.com/app:v2\"}"))).Record;
        using var saved = new MemoryStream();
        new ImageSaver(source).Save(["example.com/app:v2"], saved, format);

        var names = TarNames(saved.ToArray());
        Assert.Equal(format != ArchiveFormat.OciArchive, names.Contains("manifest.json"));
        Assert.Equal(format != ArchiveFormat.DockerArchive, names.Contains("index.json") && names.Contains("oci-layout"));
        if (format != ArchiveFormat.OciArchive)
        {
            // The docker-archive part holds the layers uncompressed, named by their diff ids.
            Assert.Contains("blobs/sha256/" + ArchiveBuilder.DigestOf(Base)[7..], names);
            Assert.Contains("blobs/sha256/" + ArchiveBuilder.DigestOf(Top)[7..], names);
        }

        var target = new StoreLayout(dir["b"]);
        var loaded = Assert.Single(Load(target, saved.ToArray()));
        Assert.Equal(original.Id, loaded.Record.Id);
        Assert.Equal(original.DiffIds, loaded.Record.DiffIds);
        Assert.Equal(["Loaded image: example.com/app:v2"], loaded.Lines);
    }

    [Fact]
    public void SaveRefusesUnknownImagesAndWritesNoFile()
    {
        using var dir = new TempDir();
        var saver = new ImageSaver(new StoreLayout(dir["store"]));
        var e = Assert.Throws<ImagesException>(() => saver.SaveToFile(["nothere:1"], dir["out.tar"], ArchiveFormat.Combined));
        Assert.Contains("nothere:1", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(dir.Path), p => !p.EndsWith("store", StringComparison.Ordinal));
    }

    private static List<string> TarNames(byte[] tar)
    {
        var names = new List<string>();
        using var r = new TarReader(new MemoryStream(tar));
        while (r.GetNextEntry() is { } e)
        {
            names.Add(e.Name);
        }

        return names;
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("gzip")]
    [InlineData("zstd")]
    public async Task ImportsARootfsTarballAsOneGzipLayer(string compression)
    {
        byte[] rootfs = new ArchiveBuilder().File("bin/sh", "#!fake").File("etc/hostname", "x").Build();
        byte[] input = compression switch { "gzip" => ArchiveBuilder.Gzip(rootfs), "zstd" => ArchiveBuilder.Zstd(rootfs), _ => rootfs };
        using var dir = new TempDir();
        var layout = new StoreLayout(dir.Path);
        var record = await new ImageImporter(layout).ImportAsync(new MemoryStream(input), "myroot:v1", "test", new SilentProgress(), CancellationToken.None);
        var store = new ImageStore(layout);
        Assert.Equal(record.Id, store.Resolve("myroot:v1", out _)!.Id);
        var layer = Assert.Single(record.Layers);
        Assert.Equal(MediaTypes.OciLayerGzip, layer.MediaType);
        Assert.Equal([ArchiveBuilder.DigestOf(rootfs)], record.DiffIds);
        Assert.Equal(ContentCompression.Gzip, CompressedStreams.DetectFile(store.Blobs.PathOf(Digest.Parse(layer.Digest))));
        Assert.Equal(Digest.Parse(record.DiffIds[0]), LayerDiff.Of(store.Blobs.PathOf(Digest.Parse(layer.Digest))).DiffId);
        var config = JsonSerializer.Deserialize(store.Blobs.Read(Digest.Parse(record.ConfigDigest)), OciJson.Default.ImageConfig)!;
        Assert.Equal(("linux", "amd64"), (config.Os, config.Architecture));
        Assert.Single(config.History!);
        Assert.True(config.Created > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Empty(Directory.EnumerateFileSystemEntries(layout.Tmp));
    }

    [Theory]
    [InlineData("not a tar")]
    [InlineData("")]
    public async Task ImportRefusesWhatIsNotATar(string content)
    {
        using var dir = new TempDir();
        var layout = new StoreLayout(dir.Path);
        byte[] data = Encoding.UTF8.GetBytes(content.Length == 0 ? "" : string.Concat(Enumerable.Repeat(content, 200)));
        await Assert.ThrowsAsync<ImagesException>(() => new ImageImporter(layout).ImportAsync(new MemoryStream(data), null, "test", new SilentProgress(), CancellationToken.None));
        AssertStoreEmpty(layout);
    }

    [Fact]
    public async Task ImportRefusesADigestAsName()
    {
        using var dir = new TempDir();
        var layout = new StoreLayout(dir.Path);
        byte[] rootfs = new ArchiveBuilder().File("a", "b").Build();
        await Assert.ThrowsAsync<ImagesException>(() => new ImageImporter(layout).ImportAsync(new MemoryStream(rootfs), "x@sha256:" + new string('a', 64), "t", new SilentProgress(), CancellationToken.None));
        AssertStoreEmpty(layout);
    }

    private sealed class RecordingUnpacker : ILayerUnpacker
    {
        private readonly StoreLayout layout;

        public RecordingUnpacker(StoreLayout layout)
        {
            this.layout = layout;
        }

        public List<PulledImage> Images { get; } = [];

        public bool RecordExisted { get; private set; }

        public Task UnpackAsync(PulledImage image, IPullProgress progress, CancellationToken ct)
        {
            Images.Add(image);
            RecordExisted |= new ImageStore(layout).Get(image.ConfigDigest) is not null;
            return Task.CompletedTask;
        }
    }
}
