using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>Making and removing names relative to a directory fd (the *at calls): directories, device nodes and
/// FIFOs, symlinks, hard links, unlink and rename. None of them follows a symlink in the last component.</summary>
public static partial class FileNodes
{
    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;
    public const int AT_EMPTY_PATH = 0x1000;
    public const uint RENAME_NOREPLACE = 1;

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysMkdirat(int dirFd, string name, uint mode);

    [LibraryImport("libc", EntryPoint = "mknodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysMknodat(int dirFd, string name, uint mode, ulong dev);

    [LibraryImport("libc", EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysSymlinkat(string target, int dirFd, string name);

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysLinkat(int oldDirFd, string oldName, int newDirFd, string newName, int flags);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysUnlinkat(int dirFd, string name, int flags);

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysRenameat2(int oldDirFd, string oldName, int newDirFd, string newName, uint flags);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysOpenat(int dirFd, string name, int flags, uint mode);

    /// <summary>openat(2) of one name in a directory (close-on-exec added).</summary>
    public static int OpenAt(int dirFd, string name, int flags, uint mode, string what)
    {
        int fd = SysOpenat(dirFd, name, flags | Files.O_CLOEXEC, mode);
        return fd >= 0 ? fd : throw LinuxException.FromLastError($"open {what}");
    }

    /// <summary>mkdirat(2); false when the name already exists (anything, a symlink included).</summary>
    public static bool TryMkdirAt(int dirFd, string name, uint mode, string what)
    {
        if (SysMkdirat(dirFd, name, mode) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno == Errno.EEXIST ? false : throw new LinuxException($"mkdir {what}", errno);
    }

    /// <summary>mknodat(2): a device node (S_IFCHR/S_IFBLK in <paramref name="mode"/>) or FIFO (S_IFIFO).</summary>
    public static void MknodAt(int dirFd, string name, uint mode, ulong dev, string what) =>
        LinuxException.Check(SysMknodat(dirFd, name, mode, dev), $"mknod {what}");

    public static void SymlinkAt(string target, int dirFd, string name, string what) =>
        LinuxException.Check(SysSymlinkat(target, dirFd, name), $"symlink {what} -> {target}");

    /// <summary>linkat(2) without following a symlink as the old name (the link names the symlink itself).</summary>
    public static void LinkAt(int oldDirFd, string oldName, int newDirFd, string newName, string what) =>
        LinuxException.Check(SysLinkat(oldDirFd, oldName, newDirFd, newName, 0), $"link {what}");

    /// <summary>unlinkat(2); returns -errno instead of throwing (ENOENT, ENOTEMPTY and EISDIR are answers here).</summary>
    public static int TryUnlinkAt(int dirFd, string name, bool directory) =>
        SysUnlinkat(dirFd, name, directory ? AT_REMOVEDIR : 0) == 0 ? 0 : -Marshal.GetLastPInvokeError();

    /// <summary>renameat2(2) with RENAME_NOREPLACE: false when the new name exists already.</summary>
    public static bool TryRenameNoReplace(string oldPath, string newPath)
    {
        if (SysRenameat2(AT_FDCWD, oldPath, AT_FDCWD, newPath, RENAME_NOREPLACE) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno is Errno.EEXIST or 39 /* ENOTEMPTY */ ? false : throw new LinuxException($"rename {oldPath} to {newPath}", errno);
    }
}
