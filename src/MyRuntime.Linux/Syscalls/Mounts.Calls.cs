using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>mount(2) and umount2(2) from managed code (the images layer mounts overlay snapshots with them).</summary>
public static partial class Mounts
{
    /// <summary>The most a mount(2) data string may hold: the kernel copies one page of it.</summary>
    public const int MaxDataLength = 4095;

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysMount(string source, string target, string? fsType, ulong flags, string? data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysUmount2(string target, int flags);

    public static void Mount(string source, string target, string? fsType, ulong flags, string? data)
    {
        if (SysMount(source, target, fsType, flags, data) != 0)
        {
            throw LinuxException.FromLastError($"mount {fsType ?? source} on {target}");
        }
    }

    /// <summary>umount2; returns 0 or -errno (EINVAL: not a mount point, EBUSY: in use).</summary>
    public static int TryUnmount(string target, int flags) =>
        SysUmount2(target, flags) == 0 ? 0 : -Marshal.GetLastPInvokeError();
}
