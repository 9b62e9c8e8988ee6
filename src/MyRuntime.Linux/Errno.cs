namespace MyRuntime.Linux;

/// <summary>errno values the runtime reacts to, and their names for messages.</summary>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int EBADF = 9;
    public const int ECHILD = 10;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EEXIST = 17;

    public const int ENODEV = 19;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ENOSPC = 28;
    public const int EROFS = 30;
    public const int ENOSYS = 38;
    public const int ELOOP = 40;
    public const int ENOTSUP = 95;
    public const int ETXTBSY = 26;

    private static readonly string[] Names =
    [
        "0", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF", "ECHILD",
        "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR",
        "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS",
        "EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY", "ELOOP",
    ];

    private static readonly string[] Texts =
    [
        "success", "operation not permitted", "no such file or directory", "no such process", "interrupted system call",
        "input/output error", "no such device or address", "argument list too long", "exec format error",
        "bad file descriptor", "no child processes", "resource temporarily unavailable", "cannot allocate memory",
        "permission denied", "bad address", "block device required", "device or resource busy", "file exists",
        "invalid cross-device link", "no such device", "not a directory", "is a directory", "invalid argument",
        "too many open files in system", "too many open files", "inappropriate ioctl for device", "text file busy",
        "file too large", "no space left on device", "illegal seek", "read-only file system", "too many links",
        "broken pipe", "numerical argument out of domain", "numerical result out of range", "resource deadlock avoided",
        "file name too long", "no locks available", "function not implemented", "directory not empty",
        "too many levels of symbolic links",
    ];

    /// <summary>"permission denied (EACCES)" style text for an errno.</summary>
    public static string Describe(int errno) => errno switch
    {
        >= 0 when errno < Names.Length => $"{Texts[errno]} ({Names[errno]})",
        ENOTSUP => "operation not supported (EOPNOTSUPP)",
        110 => "connection timed out (ETIMEDOUT)",
        _ => $"errno {errno}",
    };
}
