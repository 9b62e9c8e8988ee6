using MyRuntime.Linux;

namespace MyRuntime.Engine.Containers;

/// <summary>The exclusive flock on ROOT/containers.lock, held around every read-modify-write of container records and
/// the names index; released on dispose (and by the kernel when the process dies).</summary>
internal sealed class ContainerStoreLock : IDisposable
{
    private int fd;

    private ContainerStoreLock(int fd)
    {
        this.fd = fd;
    }

    public static ContainerStoreLock Take(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        int fd = Files.Open(path, Files.O_RDWR | Files.O_CREAT, 0x180);
        try
        {
            Files.Flock(fd, Files.LOCK_EX);
            return new ContainerStoreLock(fd);
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
