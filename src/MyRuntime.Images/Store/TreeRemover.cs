using MyRuntime.Linux;

namespace MyRuntime.Images.Store;

/// <summary>Removes a file tree without following symlinks: each directory is entered by fd, symlinks are
/// unlinked as names, a directory that is read-only is made writable first, and a directory on another filesystem
/// (something mounted inside) stops the removal rather than being emptied.</summary>
public static class TreeRemover
{
    /// <summary>Removes <paramref name="path"/> and everything under it; nothing when it does not exist.</summary>
    public static void Remove(string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string? parent = Path.GetDirectoryName(full);
        if (parent is null)
        {
            throw new ImagesException($"refusing to remove {full}");
        }

        int parentFd = Files.Open(parent, Files.O_PATH | Files.O_DIRECTORY);
        try
        {
            RemoveAt(parentFd, Path.GetFileName(full), full);
        }
        catch (LinuxException e)
        {
            throw new ImagesException($"removing {full}: {e.Message}", e);
        }
        finally
        {
            Files.Close(parentFd);
        }
    }

    /// <summary>Removes the name <paramref name="name"/> in the directory <paramref name="dirFd"/>, a directory
    /// with all it holds; nothing when it does not exist.</summary>
    public static void RemoveAt(int dirFd, string name, string what)
    {
        if (FileMetadata.TryLstatAt(dirFd, name) is not { } st)
        {
            return;
        }

        if (!st.IsDirectory)
        {
            Check(FileNodes.TryUnlinkAt(dirFd, name, directory: false), what);
            return;
        }

        RemoveDirectory(dirFd, name, st, what);
    }

    private static void RemoveDirectory(int dirFd, string name, FileStatus st, string what)
    {
        if ((st.Mode & 0x1c0) != 0x1c0)
        {
            FileMetadata.ChmodAt(dirFd, name, (st.Mode & 0xfff) | 0x1c0, what);
        }

        int fd = FileNodes.OpenAt(dirFd, name, Files.O_RDONLY | Files.O_DIRECTORY | Files.O_NOFOLLOW, 0, what);
        try
        {
            var self = FileMetadata.TryLstatAt(fd, "") ?? throw new ImagesException($"removing {what}: it vanished");
            List<string> children = [.. Directory.EnumerateFileSystemEntries($"/proc/self/fd/{fd}").Select(Path.GetFileName).OfType<string>()];
            foreach (string child in children)
            {
                string childWhat = $"{what}/{child}";
                if (FileMetadata.TryLstatAt(fd, child) is { IsDirectory: true } c)
                {
                    if (c.DevMajor != self.DevMajor || c.DevMinor != self.DevMinor)
                    {
                        throw new ImagesException($"refusing to remove {childWhat}: another filesystem is mounted there");
                    }

                    RemoveDirectory(fd, child, c, childWhat);
                }
                else
                {
                    Check(FileNodes.TryUnlinkAt(fd, child, directory: false), childWhat);
                }
            }
        }
        finally
        {
            Files.Close(fd);
        }

        Check(FileNodes.TryUnlinkAt(dirFd, name, directory: true), what);
    }

    private static void Check(int result, string what)
    {
        if (result < 0 && result != -Errno.ENOENT)
        {
            throw new LinuxException($"remove {what}", -result);
        }
    }
}
