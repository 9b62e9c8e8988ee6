using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>What statx(2) says about a name (the fields the image store uses).</summary>
public readonly record struct FileStatus(uint Mode, uint Uid, uint Gid, ulong Size, uint DevMajor, uint DevMinor,
    uint RdevMajor, uint RdevMinor, long MtimeSeconds, uint MtimeNanoseconds, ulong Inode, uint Links)
{
    public uint Type => Mode & Files.S_IFMT;

    public bool IsDirectory => Type == Files.S_IFDIR;

    public bool IsSymlink => Type == FileMetadata.S_IFLNK;
}

/// <summary>Ownership, mode, times and status of a name relative to a directory fd, never through a symlink in
/// the last component: fchownat, fchmodat, utimensat, statx.</summary>
public static unsafe partial class FileMetadata
{
    public const uint S_IFLNK = 0xA000;
    private const uint StatxBasicStats = 0x7ff;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "fchownat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysFchownat(int dirFd, string name, uint uid, uint gid, int flags);

    [LibraryImport("libc", EntryPoint = "fchmodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysFchmodat(int dirFd, string name, uint mode, int flags);

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysUtimensat(int dirFd, string name, Timespec* times, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysStatx(int dirFd, string name, int flags, uint mask, byte* buffer);

    /// <summary>lchown of a name in a directory (a symlink itself is changed, not its target).</summary>
    public static void LchownAt(int dirFd, string name, uint uid, uint gid, string what) =>
        LinuxException.Check(SysFchownat(dirFd, name, uid, gid, FileNodes.AT_SYMLINK_NOFOLLOW), $"chown {what}");

    /// <summary>chmod of a name in a directory; the caller knows the name is not a symlink (Linux cannot chmod
    /// a symlink, and this must not reach its target).</summary>
    public static void ChmodAt(int dirFd, string name, uint mode, string what) =>
        LinuxException.Check(SysFchmodat(dirFd, name, mode, 0), $"chmod {what}");

    /// <summary>Sets access and modification times of a name (a symlink itself, not its target).</summary>
    public static void SetTimesAt(int dirFd, string name, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec, string what)
    {
        Timespec* times = stackalloc Timespec[2];
        times[0] = new Timespec { Seconds = atimeSec, Nanoseconds = atimeNsec };
        times[1] = new Timespec { Seconds = mtimeSec, Nanoseconds = mtimeNsec };
        LinuxException.Check(SysUtimensat(dirFd, name, times, FileNodes.AT_SYMLINK_NOFOLLOW), $"set times of {what}");
    }

    /// <summary>statx of a name without following a final symlink; null when it does not exist.</summary>
    public static FileStatus? TryLstatAt(int dirFd, string name)
    {
        byte* b = stackalloc byte[256];
        int flags = FileNodes.AT_SYMLINK_NOFOLLOW | (name.Length == 0 ? FileNodes.AT_EMPTY_PATH : 0);
        if (SysStatx(dirFd, name, flags, StatxBasicStats, b) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno is Errno.ENOENT or Errno.ENOTDIR ? null : throw new LinuxException($"stat {name}", errno);
        }

        return new FileStatus(
            Mode: *(ushort*)(b + 28), Uid: *(uint*)(b + 20), Gid: *(uint*)(b + 24), Size: *(ulong*)(b + 40),
            DevMajor: *(uint*)(b + 136), DevMinor: *(uint*)(b + 140), RdevMajor: *(uint*)(b + 128), RdevMinor: *(uint*)(b + 132),
            MtimeSeconds: *(long*)(b + 112), MtimeNanoseconds: *(uint*)(b + 120), Inode: *(ulong*)(b + 32), Links: *(uint*)(b + 16));
    }

    /// <summary>lstat of an absolute or working-directory-relative path; null when it does not exist.</summary>
    public static FileStatus? TryLstat(string path) => TryLstatAt(FileNodes.AT_FDCWD, path);
}
