using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Store;

/// <summary>Where the image store keeps things under its root (default /var/lib/myruntime):
/// <list type="bullet">
/// <item><c>blobs/sha256/HEX</c>: content-addressed blobs (compressed layers, manifests, configs), complete only.</item>
/// <item><c>layers/sha256/DIFFHEX/</c>: one unpacked layer per diff id (<c>diff/</c> holds its files).</item>
/// <item><c>images/</c>: image records and the name:tag index.</item>
/// <item><c>snapshots/ID/</c>: a container's overlay (<c>upper/</c>, <c>work/</c>, <c>merged/</c>).</item>
/// <item><c>tmp/</c>: work in progress, each under a unique name, renamed into place when complete.</item>
/// <item><c>locks/</c>: lock files.</item>
/// </list>
/// Anything under tmp/ is never taken for complete; a crashed pull leaves only tmp/ entries that the next one clears.</summary>
public sealed class StoreLayout
{
    public const string DefaultRoot = "/var/lib/myruntime";

    public StoreLayout(string root)
    {
        Root = Path.GetFullPath(root);
    }

    /// <summary>The root from MYRUNTIME_STORAGE_ROOT, else the default.</summary>
    public static string RootFromEnvironment() =>
        Environment.GetEnvironmentVariable("MYRUNTIME_STORAGE_ROOT") is { Length: > 0 } r ? r : DefaultRoot;

    public string Root { get; }

    public string Blobs => Path.Combine(Root, "blobs");

    public string Layers => Path.Combine(Root, "layers");

    public string Images => Path.Combine(Root, "images");

    public string Snapshots => Path.Combine(Root, "snapshots");

    public string Tmp => Path.Combine(Root, "tmp");

    public string Locks => Path.Combine(Root, "locks");

    public string Blob(Digest d) => Path.Combine(Blobs, d.Algorithm, d.Hex);

    /// <summary>The directory of the layer with this diff id; its files are in <c>diff/</c>.</summary>
    public string Layer(Digest diffId) => Path.Combine(Layers, diffId.Algorithm, diffId.Hex);

    public string Snapshot(string id) => Path.Combine(Snapshots, id);

    /// <summary>A fresh path under tmp/ (not created) for work in progress.</summary>
    public string NewTemp(string what) => Path.Combine(Tmp, $"{what}-{Environment.ProcessId}-{Guid.NewGuid():N}");
}
