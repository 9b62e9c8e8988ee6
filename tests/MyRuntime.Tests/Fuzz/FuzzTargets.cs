using System.Text;
using System.Text.Json;
using MyRuntime.Engine;
using MyRuntime.Engine.Bundle;
using MyRuntime.Images;
using MyRuntime.Images.Archive;
using MyRuntime.Images.Reference;
using MyRuntime.Images.Registry;
using MyRuntime.Linux;
using MyRuntime.Oci.ImageSpec;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Config;

namespace MyRuntime.Tests.Fuzz;

/// <summary>The fuzz targets, each the parser and then what its callers do with the result (the checks
/// <c>create</c>, <c>pull</c> and <c>load</c> make), so that a value that parses but breaks a caller is found
/// too. Owns the directories the targets need (a bundle with a rootfs, the layer sandbox).</summary>
public sealed class FuzzTargets : IDisposable
{
    public static readonly string[] Names = ["config", "process", "manifest", "image-config", "reference", "layer"];

    private static readonly string?[] ContentTypes =
        [null, MediaTypes.OciIndex, MediaTypes.OciManifest, MediaTypes.DockerManifest, MediaTypes.DockerManifestList, "text/plain"];

    private static readonly PlatformSelector[] Platforms =
        [PlatformSelector.Default, new("linux", "arm64", null), new("linux", "arm", "v7")];

    private readonly TempDir bundle = new();
    private readonly TempDir rootfs = new();
    private readonly LayerSandbox layers = new();

    public FuzzTargets()
    {
        bundle.Dir("rootfs");
        rootfs.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n");
        rootfs.File("etc/group", "root:x:0:\nwheel:x:10:root\n");
    }

    public FuzzTarget Get(string name) => name switch
    {
        "config" => new(name, FuzzInputKind.Json, Config, e => e is RuntimeException),
        "process" => new(name, FuzzInputKind.Json, Process, e => e is RuntimeException),
        "manifest" => new(name, FuzzInputKind.Json, Manifest, e => e is ImagesException),
        "image-config" => new(name, FuzzInputKind.Json, ImageConfig, e => e is ImagesException or EngineException),
        "reference" => new(name, FuzzInputKind.Text, Reference, e => e is ImagesException),
        "layer" => new(name, FuzzInputKind.Tar, Layer, e => e is ImagesException),
        _ => throw new ArgumentException($"no fuzz target {name}"),
    };

    /// <summary>config.json as <c>create</c> reads it: parsed, then validated against a bundle with a rootfs.</summary>
    private void Config(byte[] input)
    {
        var spec = SpecLoader.Parse(input, "config.json");
        SpecValidator.Validate(spec, bundle.Path);
    }

    /// <summary>The process.json of <c>exec --process</c>.</summary>
    private static void Process(byte[] input) =>
        SpecValidator.ValidateProcess(SpecLoader.ParseProcess(input, "process.json"), "process.json");

    /// <summary>A manifest or index as <c>pull</c> handles it: parsed under a content type picked by the input,
    /// then the platform chosen from an index, or the layers' media types and the config digest checked.</summary>
    private static void Manifest(byte[] input)
    {
        string? contentType = ContentTypes[input.Length % ContentTypes.Length];
        var doc = ManifestDocument.Parse(input, contentType, "fuzz");
        if (doc.Index is { } index)
        {
            foreach (var platform in Platforms)
            {
                try
                {
                    _ = platform.Select(index, "fuzz").Digest;
                }
                catch (ImagesException e) when (e.Message.StartsWith("no matching manifest", StringComparison.Ordinal))
                {
                }
            }

            return;
        }

        var manifest = doc.Manifest!;
        foreach (var layer in manifest.Layers)
        {
            ImageChecks.CheckLayerType(layer, "fuzz");
            _ = Digest.Parse(layer.Digest);
        }

        _ = Digest.Parse(manifest.Config.Digest, "config digest");
        _ = manifest.Layers.Sum(l => l.Size) + manifest.Config.Size;
    }

    /// <summary>An image config as <c>pull</c>/<c>load</c> and then <c>run</c> use it: parsed, its diff ids
    /// read, and a container's config.json built from it.</summary>
    private void ImageConfig(byte[] input)
    {
        var config = ImageChecks.ParseConfig(input, "fuzz");
        foreach (string diffId in config.Rootfs.DiffIds)
        {
            _ = Digest.TryParse(diffId, out _);
        }

        var host = new BundleHost
        {
            StatDevice = _ => null,
            ListDevices = () => [],
            GetEnv = _ => null,
            LastCap = () => 40,
            BoundingSet = () => ulong.MaxValue,
        };
        var spec = SpecBuilder.Build(config, new RunOptions { Id = "0123456789abcdef0123" }, rootfs.Path, host);
        _ = JsonSerializer.SerializeToUtf8Bytes(spec, Oci.OciJson.Default.Spec);
    }

    /// <summary>An image reference (as <c>pull</c>, <c>run</c> and <c>tag</c> take it), and its round trip.</summary>
    private static void Reference(byte[] input)
    {
        var r = ImageReference.Parse(Encoding.UTF8.GetString(input));
        var again = ImageReference.Parse(r.ToString());
        if (again.ToString() != r.ToString() || ImageReference.Parse(r.Familiar).ToString() != r.ToString())
        {
            throw new FuzzViolation($"reference \"{r}\" does not round-trip");
        }
    }

    /// <summary>A layer blob unpacked for real into the sandbox: alternately unprivileged and (as root) privileged.</summary>
    private void Layer(byte[] input) =>
        layers.Unpack(input, privileged: Credentials.GetEuid() == 0 && input.Length % 2 == 0);

    public void Dispose()
    {
        bundle.Dispose();
        rootfs.Dispose();
        layers.Dispose();
    }
}
