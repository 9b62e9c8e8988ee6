using MyRuntime.Images.Store;
using MyRuntime.Linux;

namespace MyRuntime.Images.Unpack;

/// <summary>The directory a layer is unpacked into, held open by fd. Every parent of an entry is opened with
/// openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) from it, so a symlink made by an earlier entry can lead
/// elsewhere inside the layer but never out of it; missing parents are made (0755) one component at a time.</summary>
internal sealed class LayerDirectory : IDisposable
{
    private const ulong Beneath = Openat2.RESOLVE_BENEATH | Openat2.RESOLVE_NO_MAGICLINKS;
    private const int DirFlags = Files.O_PATH | Files.O_DIRECTORY;
    private string? cachedPath;
    private int cachedFd = -1;

    public LayerDirectory(string path)
    {
        Path = path;
        Fd = Files.Open(path, Files.O_RDONLY | Files.O_DIRECTORY);
    }

    public string Path { get; }

    public int Fd { get; }

    /// <summary>An fd of the directory <paramref name="parent"/> (cleaned, relative; "" for the root), made if
    /// missing when <paramref name="create"/>. Owned by this object: valid until the next call or
    /// <see cref="Forget"/>.</summary>
    public int OpenParent(string parent, string entry, bool create = true)
    {
        if (parent.Length == 0)
        {
            return Fd;
        }

        if (cachedPath == parent)
        {
            return cachedFd;
        }

        Forget();
        int fd = Openat2.TryOpen(Fd, parent, DirFlags, Beneath);
        if (fd == -Errno.ENOENT && create)
        {
            fd = MakeParents(parent, entry);
        }

        if (fd < 0)
        {
            throw Why(-fd, entry);
        }

        cachedPath = parent;
        cachedFd = fd;
        return fd;
    }

    /// <summary>Drops the cached parent fd: called whenever something is removed or replaced, since a directory
    /// that was cached may be gone or be a symlink now.</summary>
    public void Forget()
    {
        if (cachedFd >= 0)
        {
            Files.Close(cachedFd);
        }

        cachedFd = -1;
        cachedPath = null;
    }

    /// <summary>Removes whatever is at <paramref name="leaf"/> in <paramref name="dirFd"/> (a directory with
    /// its contents, never following a symlink). The cached parent stays valid when it is <paramref name="dirFd"/>
    /// itself; any other may have been beneath what went.</summary>
    public void RemoveAt(int dirFd, string leaf, string entry)
    {
        if (FileMetadata.TryLstatAt(dirFd, leaf) is null)
        {
            return;
        }

        TreeRemover.RemoveAt(dirFd, leaf, entry);
        if (dirFd != cachedFd)
        {
            Forget();
        }
    }

    private int MakeParents(string parent, string entry)
    {
        string[] parts = parent.Split('/');
        int dirFd = Fd;
        try
        {
            for (int i = 0; i < parts.Length; i++)
            {
                string sofar = string.Join('/', parts, 0, i + 1);
                int fd = Openat2.TryOpen(Fd, sofar, DirFlags, Beneath);
                if (fd == -Errno.ENOENT)
                {
                    FileNodes.TryMkdirAt(dirFd, parts[i], 0x1ed, sofar);
                    fd = Openat2.TryOpen(Fd, sofar, DirFlags, Beneath);
                }

                if (fd < 0)
                {
                    throw Why(-fd, entry);
                }

                if (dirFd != Fd)
                {
                    Files.Close(dirFd);
                }

                dirFd = fd;
            }

            int result = dirFd;
            dirFd = Fd;
            return result;
        }
        finally
        {
            if (dirFd != Fd)
            {
                Files.Close(dirFd);
            }
        }
    }

    private static Exception Why(int errno, string entry) => errno switch
    {
        18 /* EXDEV */ or Errno.ELOOP => EntryPath.Refused(entry, "its path goes through a symlink that leads outside the layer"),
        Errno.ENOTDIR => EntryPath.Refused(entry, "a parent of it is not a directory"),
        _ => new LinuxException($"open parent of {EntryPath.Printable(entry)}", errno),
    };

    public void Dispose()
    {
        Forget();
        Files.Close(Fd);
    }
}
