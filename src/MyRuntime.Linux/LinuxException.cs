using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>A failed system call: what was being done, and the errno the kernel returned.</summary>
public sealed class LinuxException : Exception
{
    public LinuxException(string operation, int errno)
        : base(Format(operation, errno))
    {
        Operation = operation;
        Errno = errno;
    }

    private LinuxException(string message, string operation, int errno)
        : base(message)
    {
        Operation = operation;
        Errno = errno;
    }

    public string Operation { get; }

    /// <summary>An error whose message is complete as given (no errno text appended).</summary>
    public static LinuxException WithMessage(string message, int errno) => new(message, message, errno);

    private static string Format(string operation, int errno) => $"{operation}: {MyRuntime.Linux.Errno.Describe(errno)}";

    public int Errno { get; }

    /// <summary>Throws for the errno of the call that just failed.</summary>
    public static LinuxException FromLastError(string operation) =>
        new(operation, Marshal.GetLastPInvokeError());

    internal static int Check(int result, string operation)
    {
        if (result < 0)
        {
            throw FromLastError(operation);
        }

        return result;
    }

    internal static long Check(long result, string operation)
    {
        if (result < 0)
        {
            throw FromLastError(operation);
        }

        return result;
    }
}
