using System.Text;

namespace MyRuntime.Linux;

/// <summary>A path as the NUL-terminated UTF-8 bytes a system call takes; a path with a NUL inside is refused
/// rather than silently cut short.</summary>
internal static class PathBytes
{
    public static byte[] Of(string path)
    {
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new LinuxException($"path \"{path.Replace("\0", "\\0", StringComparison.Ordinal)}\" contains NUL", Errno.EINVAL);
        }

        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }
}
