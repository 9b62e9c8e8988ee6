using System.Formats.Tar;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using MyRuntime.Images.Reference;
using MyRuntime.Tests.Images;

namespace MyRuntime.Tests.Fuzz;

/// <summary>Property-based tests (FsCheck) over generated inputs: references from Docker's grammar round-trip,
/// any text is a reference or a one-line error, layers of generated entries (climbing names, symlinks and hard
/// links between them, whiteouts) never write outside their directory, and generated manifests, indexes and
/// config.json documents parse or fail with the parser's own error. Test count: <c>FUZZ_ITERATIONS</c> (default
/// 200); <c>FUZZ_SEED</c> replays a run.</summary>
[Trait("Category", "Fuzz")]
public sealed class PropertyFuzzTests : IDisposable
{
    private static readonly string[] Hex = ["a", "b", "0", "f"];
    private readonly FuzzTargets targets = new();

    public void Dispose() => targets.Dispose();

    private static Config Config(int defaultCount)
    {
        var budget = FuzzBudget.FromEnvironment();
        int count = budget.Iterations is { } n ? (int)Math.Min(n, int.MaxValue) : defaultCount;
        var config = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(count);
        return Environment.GetEnvironmentVariable("FUZZ_SEED") is { Length: > 0 }
            ? config.WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd((ulong)budget.Seed), FSharpOption<int>.None)))
            : config;
    }

    /// <summary>Lists of <paramref name="min"/> to <paramref name="max"/> elements.</summary>
    private static Gen<List<T>> ListOf<T>(Gen<T> element, int min = 0, int max = 12) =>
        Gen.Choose(min, max).SelectMany(n => Gen.ListOf(element, n)).Select(l => l.ToList());

    private void Holds(string target, byte[] input)
    {
        var (outcome, why) = targets.Get(target).Try(input);
        if (why is not null)
        {
            throw new Xunit.Sdk.XunitException($"{target}: {why} (input: {Convert.ToBase64String(input)})\n{outcome}");
        }
    }

    // ---- references ----

    private static Gen<string> Component =>
        from parts in ListOf(Gen.Elements("a", "b", "z", "0", "9", "abc"), 1, 3)
        from seps in ListOf(Gen.Elements(".", "_", "__", "-", "--"), 2)
        select string.Concat(parts.Select((p, i) => i == 0 ? p : seps[i % seps.Count] + p));

    private static Gen<string> ValidReference =>
        from registry in Gen.Elements("", "docker.io/", "index.docker.io/", "localhost/", "localhost:5000/", "127.0.0.1:5000/", "quay.io/", "[::1]:5000/", "Reg.Example.com/")
        from path in ListOf(Component, 1, 4)
        from tag in Gen.Elements("", ":latest", ":v1.0-rc_1", ":_x", ":A")
        from digest in Gen.Elements("", "@sha256:" + new string('a', 64), "@sha512:" + new string('0', 128))
            // Without a registry, a first component with a '.' would be read as one (Docker's rule).
        select registry + string.Join('/', path.Select((c, i) => i == 0 && registry.Length == 0 && path.Count > 1 ? c.Replace('.', '_') : c)) + tag + digest;

    [Fact]
    public void Reference_FromTheGrammar_ParsesAndRoundTrips() =>
        Check.One(Config(500), Prop.ForAll(ValidReference.ToArbitrary(), text =>
        {
            Assert.True(ImageReference.TryParse(text, out var r, out string? error), $"\"{text}\": {error}");
            Assert.Equal(r.ToString(), ImageReference.Parse(r.ToString()).ToString());
            Assert.Equal(r.ToString(), ImageReference.Parse(r.Familiar).ToString());
        }));

    [Fact]
    public void Reference_AnyText_ParsesOrFailsWithOneLine() =>
        Check.One(Config(500), Prop.ForAll(
            Gen.OneOf(ValidReference, ListOf(Gen.Elements("a", "/", ":", "@", ".", "-", "_", "A", "\n", "[", "]", "sha256:", "\u00e9", " ", "5000", "..")).Select(string.Concat))
                .ToArbitrary(),
            text => Holds("reference", Encoding.UTF8.GetBytes(text))));

    // ---- layers ----

    private static Gen<string> EntryName =>
        from parts in ListOf(Gen.Elements("a", "b", "..", ".", "", ".wh.a", ".wh..wh..opq", "outside", "sentinel"), 1, 4)
        from absolute in Gen.Elements(false, true)
        select (absolute ? "/" : "") + string.Join('/', parts) is { Length: > 0 } n ? n : ".";

    private static Gen<TarEntry> Entry =>
        from kind in Gen.Elements('f', 'd', 'l', 'h', 'p')
        from name in EntryName
        from target in Gen.OneOf(EntryName, Gen.Elements("/", "../../outside", "/proc/self/root", "../outside/sentinel"))
        select kind switch
        {
            'f' => (TarEntry)LayerTar.File(name, "data"),
            'd' => LayerTar.Dir(name),
            'l' => LayerTar.Symlink(name, target),
            'h' => LayerTar.HardLink(name, target),
            _ => new PaxTarEntry(TarEntryType.Fifo, name),
        };

    [Fact]
    public void Layer_OfGeneratedEntries_NeverWritesOutside() =>
        Check.One(Config(150), Prop.ForAll(ListOf(Entry, 1, 8).ToArbitrary(), entries =>
        {
            byte[] tar;
            try
            {
                tar = LayerTar.Build([.. entries]);
            }
            catch (ArgumentException)
            {
                return; // TarWriter refuses some names (empty): nothing to unpack
            }

            Holds("layer", tar);
        }));

    // ---- manifests and indexes ----

    private static Gen<string?> DigestValue =>
        Gen.OneOf(
            Gen.Elements(Hex).Select(h => (string?)("sha256:" + string.Concat(Enumerable.Repeat(h, 64)))),
            Gen.Elements<string?>(null, "sha256:abc", "", "md5:" + new string('a', 32)));

    private static Gen<JsonNode?> Descriptor =>
        from digest in DigestValue
        from size in Gen.Elements<long>(0, 1, -1, long.MaxValue, 1L << 40)
        from mediaType in Gen.Elements(MyRuntime.Oci.ImageSpec.MediaTypes.OciLayerGzip, MyRuntime.Oci.ImageSpec.MediaTypes.DockerLayerGzip, MyRuntime.Oci.ImageSpec.MediaTypes.OciManifest, "x")
        from os in Gen.Elements("linux", "windows", "", null)
        from arch in Gen.Elements("amd64", "arm64", "arm", null)
        from isNull in Gen.Frequency((1, Gen.Constant(true)), (9, Gen.Constant(false)))
        select isNull ? null : (JsonNode)new JsonObject
        {
            ["mediaType"] = mediaType,
            ["digest"] = digest,
            ["size"] = size,
            ["platform"] = os is null ? null : new JsonObject { ["os"] = os, ["architecture"] = arch },
        };

    private static Gen<string> ManifestJson =>
        from isIndex in Gen.Elements(true, false)
        from schema in Gen.Elements<Func<JsonNode?>>(() => 2, () => 1, () => 1.5, () => "2", () => null)
        from config in Descriptor
        from list in ListOf(Descriptor, 0, 4)
        from listIsNull in Gen.Frequency((1, Gen.Constant(true)), (6, Gen.Constant(false)))
        select new JsonObject
        {
            ["schemaVersion"] = schema(),
            [isIndex ? "manifests" : "layers"] = listIsNull ? null : new JsonArray([.. list]),
            ["config"] = isIndex ? null : config,
        }.ToJsonString();

    [Fact]
    public void Manifest_Generated_ParsesOrFailsWithItsOwnError() =>
        Check.One(Config(500), Prop.ForAll(ManifestJson.ToArbitrary(), json => Holds("manifest", Encoding.UTF8.GetBytes(json))));

    // ---- config.json ----

    private static Gen<JsonNode?> Namespaces =>
        ListOf(Gen.Elements("mount", "pid", "uts", "user", "network", "ipc", "cgroup", "time", "bogus", ""), 0, 5)
            .Select(l => (JsonNode?)new JsonArray([.. l.Select(t => (JsonNode)new JsonObject { ["type"] = t })]));

    private static Gen<string> SpecJson =>
        from ns in Namespaces
        from args in Gen.Elements<Func<JsonNode?>>(() => new JsonArray("sh"), () => new JsonArray(), () => null, () => new JsonArray(JsonValue.Create("")))
        from cwd in Gen.Elements("/", "", "rel", null)
        from rlimit in Gen.Elements("RLIMIT_NOFILE", "RLIMIT_BOGUS", "", null)
        from cap in Gen.Elements("CAP_CHOWN", "CAP_BOGUS", "", null)
        from mountDest in Gen.Elements("/data", "data", "", "/a\nb", null)
        from hostname in Gen.Elements("h", "", null)
        from uidMaps in Gen.Elements(true, false)
        select new JsonObject
        {
            ["ociVersion"] = "1.2.0",
            ["root"] = new JsonObject { ["path"] = "rootfs" },
            ["hostname"] = hostname,
            ["process"] = new JsonObject
            {
                ["args"] = args(),
                ["cwd"] = cwd,
                ["rlimits"] = new JsonArray(new JsonObject { ["type"] = rlimit, ["hard"] = 1, ["soft"] = 1 }),
                ["capabilities"] = new JsonObject { ["bounding"] = new JsonArray(cap) },
            },
            ["mounts"] = new JsonArray(new JsonObject { ["destination"] = mountDest, ["type"] = "tmpfs", ["source"] = "tmpfs" }),
            ["linux"] = new JsonObject
            {
                ["namespaces"] = ns,
                ["uidMappings"] = uidMaps ? new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 1000, ["size"] = 1 }) : null,
                ["gidMappings"] = uidMaps ? new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 1000, ["size"] = 1 }) : null,
            },
        }.ToJsonString();

    [Fact]
    public void Config_Generated_ParsesOrFailsWithItsOwnError() =>
        Check.One(Config(500), Prop.ForAll(SpecJson.ToArbitrary(), json => Holds("config", Encoding.UTF8.GetBytes(json))));
}
