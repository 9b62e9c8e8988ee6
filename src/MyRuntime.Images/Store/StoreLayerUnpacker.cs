using MyRuntime.Images.Pull;
using MyRuntime.Images.Unpack;

namespace MyRuntime.Images.Store;

/// <summary>The unpacking step of pull, load and import: every layer of the image unpacked once into the layer
/// store under its diff id (a layer already there is kept as it is), two at a time.</summary>
public sealed class StoreLayerUnpacker : ILayerUnpacker
{
    private readonly LayerStore layers;
    private readonly UnpackOptions options;

    public StoreLayerUnpacker(StoreLayout layout, UnpackOptions? options = null)
    {
        layers = new LayerStore(layout);
        this.options = options ?? UnpackOptions.ForCurrentUser();
    }

    public async Task UnpackAsync(PulledImage image, IPullProgress progress, CancellationToken ct)
    {
        var distinct = image.Layers.DistinctBy(l => l.DiffId).ToList();
        await Parallel.ForEachAsync(
            distinct,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Min(2, Environment.ProcessorCount), CancellationToken = ct },
            (layer, token) =>
            {
                string id = layer.Digest.Hex[..12];
                if (layers.Contains(layer.DiffId))
                {
                    progress.Layer(id, LayerStatus.PullComplete, layer.Descriptor.Size, layer.Descriptor.Size);
                    return ValueTask.CompletedTask;
                }

                progress.Layer(id, LayerStatus.Extracting, 0, layer.Descriptor.Size);
                layers.Ensure(layer.DiffId, () => File.OpenRead(layer.BlobPath), options);
                progress.Layer(id, LayerStatus.PullComplete, layer.Descriptor.Size, layer.Descriptor.Size);
                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);
    }
}
