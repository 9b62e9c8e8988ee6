using System.Formats.Tar;
using Microsoft.Win32.SafeHandles;
using MyRuntime.Linux;

namespace MyRuntime.Images.Unpack;

/// <summary>Writes tar entries into a layer directory: every name cleaned (<see cref="EntryPath"/>), every parent
/// opened beneath the root (<see cref="LayerDirectory"/>), every file made with *at calls that do not follow a
/// symlink in the last component. A name that exists is replaced, except a directory by a directory (tar's way).
/// Directories get their mode and mtime at the end, after their contents.</summary>
internal sealed class LayerWriter(string targetDir, UnpackOptions options) : IDisposable
{
    private readonly LayerDirectory root = new(targetDir);
    private readonly List<(string Path, EntryMetadata Meta)> directories = [];

    /// <summary>Writes one entry; <paramref name="rawXattrs"/> are its xattrs' exact bytes when known.</summary>
    public void Write(TarEntry entry, IReadOnlyDictionary<string, byte[]>? rawXattrs = null)
    {
        string name = entry.Name;
        string path = EntryPath.Clean(name);
        try
        {
            if (Whiteouts.TryApply(root, path, name, entry, options))
            {
                return;
            }

            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory(path, name, EntryMetadata.Of(entry, rawXattrs));
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    RegularFile(path, name, EntryMetadata.Of(entry, rawXattrs), entry.DataStream);
                    break;
                case TarEntryType.SymbolicLink:
                    Symlink(path, name, entry.LinkName, EntryMetadata.Of(entry, rawXattrs));
                    break;
                case TarEntryType.HardLink:
                    HardLink(path, name, entry.LinkName);
                    break;
                case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo when entry is PosixTarEntry posix:
                    Node(path, name, posix, EntryMetadata.Of(entry, rawXattrs));
                    break;
                case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                    throw EntryPath.Refused(name, $"a {entry.EntryType} in a V7 header, which has no device numbers");
                case TarEntryType.GlobalExtendedAttributes:
                    break;
                default:
                    throw EntryPath.Refused(name, $"unsupported tar entry type {entry.EntryType}");
            }
        }
        catch (LinuxException e)
        {
            throw new ImagesException($"unpacking layer entry \"{EntryPath.Printable(name)}\": {e.Message}", e);
        }
    }

    /// <summary>Gives directories their modes and mtimes, the last made first (so after their contents). A
    /// directory replaced or removed by a later entry is left alone.</summary>
    public void Finish()
    {
        root.Forget();
        for (int i = directories.Count - 1; i >= 0; i--)
        {
            var (path, meta) = directories[i];
            var (parent, leaf) = path.Length == 0 ? ("", ".") : EntryPath.Split(path);
            int dirFd = parent.Length == 0 ? root.Fd : Openat2.TryOpen(root.Fd, parent, Files.O_PATH | Files.O_DIRECTORY, Openat2.RESOLVE_BENEATH | Openat2.RESOLVE_NO_MAGICLINKS);
            if (dirFd < 0)
            {
                continue;
            }

            try
            {
                if (FileMetadata.TryLstatAt(dirFd, leaf) is { IsDirectory: true })
                {
                    FileMetadata.ChmodAt(dirFd, leaf, meta.Mode, path);
                    FileMetadata.SetTimesAt(dirFd, leaf, meta.MtimeSeconds, meta.MtimeNanoseconds, meta.MtimeSeconds, meta.MtimeNanoseconds, path);
                }
            }
            catch (LinuxException e)
            {
                throw new ImagesException($"unpacking layer directory \"{EntryPath.Printable(path)}\": {e.Message}", e);
            }
            finally
            {
                if (dirFd != root.Fd)
                {
                    Files.Close(dirFd);
                }
            }
        }
    }

    private void Directory(string path, string name, EntryMetadata meta)
    {
        var (parent, leaf) = path.Length == 0 ? ("", ".") : EntryPath.Split(path);
        int dirFd = root.OpenParent(parent, name);
        if (path.Length != 0 && FileMetadata.TryLstatAt(dirFd, leaf) is { IsDirectory: false })
        {
            root.RemoveAt(dirFd, leaf, name);
        }

        if (path.Length != 0)
        {
            FileNodes.TryMkdirAt(dirFd, leaf, 0x1ed, name);
        }

        Owner(dirFd, leaf, meta, name);
        Xattrs(dirFd, leaf, meta, name, symlink: false);
        directories.Add((path, meta));
    }

    private void RegularFile(string path, string name, EntryMetadata meta, Stream? data)
    {
        var (parent, leaf) = NonRoot(path, name);
        int dirFd = root.OpenParent(parent, name);
        root.RemoveAt(dirFd, leaf, name);
        int fd = FileNodes.OpenAt(dirFd, leaf, Files.O_WRONLY | Files.O_CREAT | Files.O_EXCL | Files.O_NOFOLLOW, 0x180, name);
        using (var file = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, bufferSize: 0))
        {
            data?.CopyTo(file, 128 * 1024);
        }

        // chown clears setuid/setgid and a write clears security.capability: owner, then mode, then xattrs.
        Owner(dirFd, leaf, meta, name);
        FileMetadata.ChmodAt(dirFd, leaf, meta.Mode, name);
        Xattrs(dirFd, leaf, meta, name, symlink: false);
        Times(dirFd, leaf, meta, name);
    }

    private void Symlink(string path, string name, string target, EntryMetadata meta)
    {
        if (target.Contains('\0', StringComparison.Ordinal))
        {
            throw EntryPath.Refused(name, "its link target contains NUL");
        }

        var (parent, leaf) = NonRoot(path, name);
        int dirFd = root.OpenParent(parent, name);
        root.RemoveAt(dirFd, leaf, name);
        FileNodes.SymlinkAt(target, dirFd, leaf, name);
        Owner(dirFd, leaf, meta, name);
        Xattrs(dirFd, leaf, meta, name, symlink: true);
        Times(dirFd, leaf, meta, name);
    }

    /// <summary>A hard link to a name this layer already holds (the directory was empty when unpacking began),
    /// resolved beneath the root like any entry; an absent target or a directory is refused.</summary>
    private void HardLink(string path, string name, string linkName)
    {
        string target;
        try
        {
            target = EntryPath.Clean(linkName, "link target");
        }
        catch (ImagesException e)
        {
            throw EntryPath.Refused(name, $"{e.Message[(e.Message.LastIndexOf(':') + 2)..]} (hard link to \"{EntryPath.Printable(linkName)}\")");
        }

        var (parent, leaf) = NonRoot(path, name);
        if (target.Length == 0)
        {
            throw EntryPath.Refused(name, "it is a hard link to the layer's root");
        }

        if (target == path)
        {
            return;
        }

        var (targetParent, targetLeaf) = EntryPath.Split(target);
        int targetDirFd = Openat2.TryOpen(root.Fd, targetParent, Files.O_PATH | Files.O_DIRECTORY, Openat2.RESOLVE_BENEATH | Openat2.RESOLVE_NO_MAGICLINKS);
        if (targetDirFd < 0)
        {
            throw EntryPath.Refused(name, $"its hard link target \"{EntryPath.Printable(linkName)}\" is not in the layer");
        }

        try
        {
            switch (FileMetadata.TryLstatAt(targetDirFd, targetLeaf))
            {
                case null:
                    throw EntryPath.Refused(name, $"its hard link target \"{EntryPath.Printable(linkName)}\" is not in the layer");
                case { IsDirectory: true }:
                    throw EntryPath.Refused(name, $"its hard link target \"{EntryPath.Printable(linkName)}\" is a directory");
            }

            int dirFd = root.OpenParent(parent, name);
            root.RemoveAt(dirFd, leaf, name);
            FileNodes.LinkAt(targetDirFd, targetLeaf, dirFd, leaf, $"{name} to {linkName}");
        }
        finally
        {
            Files.Close(targetDirFd);
        }
    }

    /// <summary>Character and block devices and FIFOs: made only when privileged, skipped otherwise.</summary>
    private void Node(string path, string name, PosixTarEntry entry, EntryMetadata meta)
    {
        if (!options.Privileged)
        {
            return;
        }

        uint type = entry.EntryType switch
        {
            TarEntryType.CharacterDevice => Files.S_IFCHR,
            TarEntryType.BlockDevice => Files.S_IFBLK,
            _ => Files.S_IFIFO,
        };
        ulong dev = type == Files.S_IFIFO ? 0 : Files.MakeDev(entry.DeviceMajor, entry.DeviceMinor);
        var (parent, leaf) = NonRoot(path, name);
        int dirFd = root.OpenParent(parent, name);
        root.RemoveAt(dirFd, leaf, name);
        FileNodes.MknodAt(dirFd, leaf, type | 0x180, dev, name);
        Owner(dirFd, leaf, meta, name);
        FileMetadata.ChmodAt(dirFd, leaf, meta.Mode, name);
        Xattrs(dirFd, leaf, meta, name, symlink: false);
        Times(dirFd, leaf, meta, name);
    }

    private static (string Parent, string Leaf) NonRoot(string path, string name) =>
        path.Length == 0 ? throw EntryPath.Refused(name, "only a directory may name the layer's root") : EntryPath.Split(path);

    private void Owner(int dirFd, string leaf, EntryMetadata meta, string name)
    {
        if (options.Privileged)
        {
            FileMetadata.LchownAt(dirFd, leaf, (uint)meta.Uid, (uint)meta.Gid, name);
        }
    }

    /// <summary>Sets the entry's xattrs. Unprivileged, only user.* ones can be set (and not on symlinks); a
    /// filesystem without xattr support is not an error (as Docker).</summary>
    private void Xattrs(int dirFd, string leaf, EntryMetadata meta, string name, bool symlink)
    {
        foreach (var (key, value) in meta.Xattrs)
        {
            bool user = key.StartsWith("user.", StringComparison.Ordinal);
            if (!options.Privileged && (!user || symlink))
            {
                continue;
            }

            int r = MyRuntime.Linux.Xattrs.TrySet(MyRuntime.Linux.Xattrs.AtPath(dirFd, leaf), key, value);
            if (r < 0 && r != -Errno.ENOTSUP && !(symlink && user && r == -Errno.EPERM))
            {
                throw new LinuxException($"set xattr {key}", -r);
            }
        }
    }

    private static void Times(int dirFd, string leaf, EntryMetadata meta, string name) =>
        FileMetadata.SetTimesAt(dirFd, leaf, meta.MtimeSeconds, meta.MtimeNanoseconds, meta.MtimeSeconds, meta.MtimeNanoseconds, name);

    public void Dispose() => root.Dispose();
}
