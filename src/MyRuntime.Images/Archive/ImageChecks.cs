using System.Text.Json;
using MyRuntime.Images.Reference;
using MyRuntime.Oci;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Archive;

/// <summary>Checks shared by the archive readers: configs, layer media types, diff ids, names.</summary>
internal static class ImageChecks
{
    public static void CheckLayerType(Descriptor layer, string what)
    {
        if (!MediaTypes.IsLayer(layer.MediaType))
        {
            throw new ImagesException($"{what}: layer {layer.Digest} has a media type not supported: \"{layer.MediaType}\"");
        }
    }

    public static ImageConfig ParseConfig(byte[] bytes, string what)
    {
        try
        {
            return CheckConfig(JsonSerializer.Deserialize(bytes, OciJson.Default.ImageConfig) ?? throw new ImagesException($"{what}: the image config is null"), what);
        }
        catch (JsonException e)
        {
            throw new ImagesException($"{what}: invalid image config: {e.Message}");
        }
    }

    /// <summary>What JSON lets through but the store and <c>run</c> cannot use: no rootfs.diff_ids, a null among
    /// the diff ids, Env, Entrypoint or Cmd.</summary>
    public static ImageConfig CheckConfig(ImageConfig config, string what)
    {
        if (config.Rootfs?.DiffIds is null)
        {
            throw new ImagesException($"{what}: the image config has no rootfs.diff_ids");
        }

        foreach (var (list, name) in new[] { (config.Rootfs.DiffIds, "rootfs.diff_ids"), (config.Config?.Env, "Env"), (config.Config?.Entrypoint, "Entrypoint"), (config.Config?.Cmd, "Cmd") })
        {
            if (list is not null && list.Contains(null!))
            {
                throw new ImagesException($"{what}: the image config's {name} holds a null");
            }
        }

        return config;
    }

    /// <summary>The config's diff ids, as many as <paramref name="layerFiles"/>, each equal to the layer file's.</summary>
    public static List<Digest> DiffIds(ImageConfig config, IReadOnlyList<string> layerFiles, string what)
    {
        if (config.Rootfs.DiffIds.Count != layerFiles.Count)
        {
            throw new ImagesException($"{what}: the config lists {config.Rootfs.DiffIds.Count} diff ids for {layerFiles.Count} layers");
        }

        var diffIds = new List<Digest>();
        for (int i = 0; i < layerFiles.Count; i++)
        {
            string text = config.Rootfs.DiffIds[i];
            if (!Digest.TryParse(text, out var expected))
            {
                throw new ImagesException($"{what}: invalid diff id \"{text}\" in the image config");
            }

            var actual = LayerDiff.Of(layerFiles[i]).DiffId;
            if (actual != expected)
            {
                throw new ImagesException($"{what}: layer {i + 1} has diff id {actual} where the config says {expected}");
            }

            diffIds.Add(expected);
        }

        return diffIds;
    }

    /// <summary>The full name:tag of an archive's name (<c>busybox:1</c> → <c>docker.io/library/busybox:1</c>).</summary>
    public static string TaggedName(string text, string what)
    {
        if (!ImageReference.TryParse(text, out var r, out string? error))
        {
            throw new ImagesException($"{what}: invalid image name \"{text}\": {error}");
        }

        if (r.Digest is not null || r.TaggedName is null)
        {
            throw new ImagesException($"{what}: image name \"{text}\" must be NAME[:TAG], without a digest");
        }

        return r.TaggedName;
    }
}
