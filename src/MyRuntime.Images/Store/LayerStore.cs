using MyRuntime.Images.Unpack;
using MyRuntime.Linux;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Store;

/// <summary>Unpacked layers, one per diff id, at <c>layers/ALG/HEX/diff</c> (<see cref="StoreLayout.Layer"/>).
/// A layer is unpacked under tmp/, its diff id checked, then renamed into place in one step: a layer directory
/// that exists is complete. Two processes unpacking the same layer at once both finish; the first rename wins and
/// the other discards its copy.</summary>
public sealed class LayerStore(StoreLayout layout)
{
    public StoreLayout Layout { get; } = layout;

    /// <summary>The path of the layer's files (<c>layers/ALG/HEX/diff</c>).</summary>
    public string DiffPath(Digest diffId) => Path.Combine(Layout.Layer(diffId), "diff");

    public bool Contains(Digest diffId) => Directory.Exists(DiffPath(diffId));

    /// <summary>The layer's diff directory, unpacking the blob opened by <paramref name="openCompressedBlob"/>
    /// first if the store does not hold it yet (the blob is then read once, to its end, and disposed). A blob
    /// whose uncompressed digest is not <paramref name="diffId"/> is an error and leaves nothing behind.</summary>
    public string Ensure(Digest diffId, Func<Stream> openCompressedBlob, UnpackOptions options)
    {
        string diff = DiffPath(diffId);
        if (Directory.Exists(diff))
        {
            return diff;
        }

        string temp = Layout.NewTemp("layer");
        Directory.CreateDirectory(Layout.Tmp);
        Files.Mkdir(temp, 0x1c0);
        try
        {
            string tempDiff = Path.Combine(temp, "diff");
            Files.Mkdir(tempDiff, 0x1ed);
            Digest actual;
            using (Stream blob = openCompressedBlob())
            {
                actual = LayerUnpacker.Unpack(blob, tempDiff, options);
            }

            if (actual != diffId)
            {
                throw new ImagesException($"layer {diffId} does not match its content: its uncompressed digest is {actual}");
            }

            Files.Chmod(temp, 0x1ed);
            string layerDir = Layout.Layer(diffId);
            Directory.CreateDirectory(Path.GetDirectoryName(layerDir)!);
            if (FileNodes.TryRenameNoReplace(temp, layerDir))
            {
                temp = "";
            }

            return diff;
        }
        finally
        {
            if (temp.Length != 0)
            {
                TreeRemover.Remove(temp);
            }
        }
    }

    /// <summary>Removes a layer (nothing when absent). It is first renamed under tmp/ so that it stops being a
    /// layer at once, then deleted; a crash half-way leaves only a tmp/ entry.</summary>
    public void Remove(Digest diffId)
    {
        string layerDir = Layout.Layer(diffId);
        if (!Directory.Exists(layerDir))
        {
            return;
        }

        string doomed = Layout.NewTemp("removed-layer");
        Directory.CreateDirectory(Layout.Tmp);
        try
        {
            Directory.Move(layerDir, doomed);
        }
        catch (DirectoryNotFoundException)
        {
            return;
        }

        TreeRemover.Remove(doomed);
    }

    /// <summary>The diff ids of the layers the store holds.</summary>
    public IReadOnlyList<Digest> List()
    {
        var layers = new List<Digest>();
        if (!Directory.Exists(Layout.Layers))
        {
            return layers;
        }

        foreach (string algorithmDir in Directory.EnumerateDirectories(Layout.Layers))
        {
            foreach (string dir in Directory.EnumerateDirectories(algorithmDir))
            {
                if (Digest.TryParse($"{Path.GetFileName(algorithmDir)}:{Path.GetFileName(dir)}", out var d) && Directory.Exists(Path.Combine(dir, "diff")))
                {
                    layers.Add(d);
                }
            }
        }

        return layers;
    }
}
