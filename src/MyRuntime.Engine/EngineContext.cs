using MyRuntime.Engine.Containers;
using MyRuntime.Images.Snapshots;
using MyRuntime.Images.Store;
using MyRuntime.Runtime;

namespace MyRuntime.Engine;

/// <summary>Where the engine keeps things: the store root (images, snapshots, container records and logs) and the
/// run root (the runtime core's state of running containers, on tmpfs so that a host restart clears it).</summary>
public sealed class EngineContext
{
    public EngineContext(string storageRoot, string runRoot, IRuntimeLog log)
    {
        StorageRoot = Path.GetFullPath(storageRoot);
        RunRoot = Path.GetFullPath(runRoot);
        Log = log;
        Containers = new ContainerStore(StorageRoot);
        Layout = new StoreLayout(StorageRoot);
    }

    public string StorageRoot { get; }

    public string RunRoot { get; }

    public IRuntimeLog Log { get; }

    public ContainerStore Containers { get; }

    public StoreLayout Layout { get; }

    public ImageStore Images => new(Layout);

    public ImageSnapshots Snapshots => new(Images);

    /// <summary>The networks of this storage root (ROOT/networks).</summary>
    public MyRuntime.Network.Networks.NetworkManager Networks => new(new MyRuntime.Network.Networks.NetworkStore(StorageRoot));

    /// <summary>The runtime core's context for the engine's containers.</summary>
    public RuntimeContext Runtime => new(RunRoot, Log);

    /// <summary>The path of our own binary: the monitor and --init are this binary run again.</summary>
    public static string SelfPath => RuntimeContext.SelfExe;

    public string LogPath(string id) => Path.Combine(Containers.ContainerDir(id), id + "-json.log");
}
