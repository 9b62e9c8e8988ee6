using System.Text.Json;
using MyRuntime.Images;
using MyRuntime.Images.Pull;
using MyRuntime.Images.Reference;
using MyRuntime.Images.Registry;
using MyRuntime.Images.Store;
using MyRuntime.Oci;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Engine.Images;

/// <summary>--pull: when run and create fetch the image.</summary>
public enum PullPolicy
{
    Missing,
    Always,
    Never,
}

/// <summary>The image a container is made from: found in the store, or pulled as the policy says.</summary>
public static class ImageResolver
{
    public static PullPolicy ParsePolicy(string text) => text switch
    {
        "missing" => PullPolicy.Missing,
        "always" => PullPolicy.Always,
        "never" => PullPolicy.Never,
        _ => throw new EngineException($"invalid --pull \"{text}\": expected missing, always or never"),
    };

    /// <summary>The image's record and config; pulls it when missing (or always). <paramref name="onPull"/> is told
    /// before a pull starts (Docker prints "Unable to find image ... locally").</summary>
    public static (ImageRecord Record, ImageConfig Config) Ensure(EngineContext ctx, string image, PullPolicy policy, IPullProgress progress, Action<string>? onPull = null)
    {
        var store = ctx.Images;
        ImageRecord? record = policy == PullPolicy.Always ? null : store.Resolve(image, out _);
        if (record is null)
        {
            if (policy == PullPolicy.Never)
            {
                throw new EngineException($"No such image: {image}");
            }

            if (!ImageReference.TryParse(image, out var reference, out string? error))
            {
                throw new EngineException($"invalid reference format: {error}");
            }

            if (policy == PullPolicy.Missing)
            {
                onPull?.Invoke($"Unable to find image '{reference}' locally");
            }

            var puller = new Puller(ctx.Layout, CredentialStore.FromEnvironment(), new StoreLayerUnpacker(ctx.Layout));
            try
            {
                record = puller.PullAsync(reference, PlatformSelector.Parse(null), progress, CancellationToken.None).GetAwaiter().GetResult().Record;
            }
            catch (ImagesException e)
            {
                throw new EngineException($"Unable to find image '{image}': {e.Message}", e);
            }
        }

        var config = JsonSerializer.Deserialize(store.Blobs.Read(Digest.Parse(record.ConfigDigest, "config digest")), OciJson.Default.ImageConfig)
            ?? throw new EngineException($"image {image}: its config is empty");
        return (record, config);
    }
}
