using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>Extended attributes of a name, never through a symlink in the last component (lsetxattr,
/// lgetxattr). A name in a directory fd is reached as /proc/self/fd/DIRFD/NAME.</summary>
public static unsafe partial class Xattrs
{
    private const int ENODATA = 61;

    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysLsetxattr(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint SysLgetxattr(string path, string name, byte* value, nuint size);

    /// <summary>The path by which a name in an open directory is reached without resolving its parents again.</summary>
    public static string AtPath(int dirFd, string name) => $"/proc/self/fd/{dirFd}/{(name.Length == 0 ? "." : name)}";

    /// <summary>lsetxattr; returns 0 or -errno (callers decide whether ENOTSUP or EPERM matter).</summary>
    public static int TrySet(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
        {
            return SysLsetxattr(path, name, p, (nuint)value.Length, 0) == 0 ? 0 : -Marshal.GetLastPInvokeError();
        }
    }

    public static void Set(string path, string name, ReadOnlySpan<byte> value, string what)
    {
        int r = TrySet(path, name, value);
        if (r < 0)
        {
            throw new LinuxException($"set xattr {name} on {what}", -r);
        }
    }

    /// <summary>lgetxattr; null when the attribute is absent.</summary>
    public static byte[]? Get(string path, string name)
    {
        byte* buffer = stackalloc byte[65536];
        nint n = SysLgetxattr(path, name, buffer, 65536);
        if (n < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == ENODATA ? null : throw new LinuxException($"get xattr {name} of {path}", errno);
        }

        return new ReadOnlySpan<byte>(buffer, (int)n).ToArray();
    }
}
