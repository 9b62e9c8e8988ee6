using MyRuntime.Linux;

namespace MyRuntime.Images.Store;

/// <summary>The store's locks, files under locks/. <c>store.lock</c>: shared by pulls, exclusive for removals (rmi,
/// prune), so that no blob a pull counts on is removed under it. <c>records.lock</c>: exclusive around every
/// read-modify-write of image records and the tag index.</summary>
public static class StoreLock
{
    public const string Store = "store.lock";
    public const string Records = "records.lock";

    public static FileLock Shared(StoreLayout layout, string name) => FileLock.OnFile(Path.Combine(layout.Locks, name), exclusive: false);

    public static FileLock Exclusive(StoreLayout layout, string name) => FileLock.OnFile(Path.Combine(layout.Locks, name), exclusive: true);
}
