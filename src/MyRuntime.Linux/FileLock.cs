namespace MyRuntime.Linux;

/// <summary>An flock(2) held on an open file or directory, released on dispose (and by the kernel when the process
/// dies, so a crash never leaves it taken).</summary>
public sealed class FileLock : IDisposable
{
    private int fd;

    private FileLock(int fd)
    {
        this.fd = fd;
    }

    /// <summary>Locks a lock file, made (mode 0600, parents too) when missing; blocks until the lock is free.</summary>
    public static FileLock OnFile(string path, bool exclusive)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return Take(Files.Open(path, Files.O_RDWR | Files.O_CREAT, 0x180), exclusive);
    }

    /// <summary>Locks an existing directory exclusively; blocks until the lock is free.</summary>
    public static FileLock OnDirectory(string path) => Take(Files.Open(path, Files.O_RDONLY | Files.O_DIRECTORY), exclusive: true);

    private static FileLock Take(int fd, bool exclusive)
    {
        try
        {
            Files.Flock(fd, exclusive ? Files.LOCK_EX : Files.LOCK_SH);
            return new FileLock(fd);
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
