using MyRuntime.Linux;

namespace MyRuntime.Images.Store;

/// <summary>An flock on a file under locks/, released on dispose (and by the kernel when the process dies).
/// <c>store.lock</c>: shared by pulls, exclusive for removals (rmi, prune), so that no blob a pull counts on is removed
/// under it. <c>records.lock</c>: exclusive around every read-modify-write of image records and the tag index.</summary>
public sealed class StoreLock : IDisposable
{
    public const string Store = "store.lock";
    public const string Records = "records.lock";
    private int fd;

    private StoreLock(int fd)
    {
        this.fd = fd;
    }

    public static StoreLock Shared(StoreLayout layout, string name) => Take(layout, name, Files.LOCK_SH);

    public static StoreLock Exclusive(StoreLayout layout, string name) => Take(layout, name, Files.LOCK_EX);

    private static StoreLock Take(StoreLayout layout, string name, int operation)
    {
        Directory.CreateDirectory(layout.Locks);
        string path = Path.Combine(layout.Locks, name);
        int fd = Files.Open(path, Files.O_RDWR | Files.O_CREAT, 0x180);
        try
        {
            Files.Flock(fd, operation);
            return new StoreLock(fd);
        }
        catch
        {
            Files.Close(fd);
            throw;
        }
    }

    public void Dispose()
    {
        if (fd >= 0)
        {
            Files.Close(fd);
            fd = -1;
        }
    }
}
