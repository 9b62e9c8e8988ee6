using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>setresuid(2), setresgid(2), setgroups(2). glibc applies these to every thread of the process.</summary>
public static partial class Credentials
{
    [LibraryImport("libc", EntryPoint = "setresuid", SetLastError = true)]
    private static partial int SysSetresuid(uint r, uint e, uint s);

    [LibraryImport("libc", EntryPoint = "setresgid", SetLastError = true)]
    private static partial int SysSetresgid(uint r, uint e, uint s);

    [LibraryImport("libc", EntryPoint = "setgroups", SetLastError = true)]
    private static unsafe partial int SysSetgroups(nuint size, uint* list);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    public static void SetUid(uint uid)
    {
        if (SysSetresuid(uid, uid, uid) != 0)
        {
            throw LinuxException.FromLastError($"setresuid {uid}");
        }
    }

    public static void SetGid(uint gid)
    {
        if (SysSetresgid(gid, gid, gid) != 0)
        {
            throw LinuxException.FromLastError($"setresgid {gid}");
        }
    }

    public static unsafe void SetGroups(IReadOnlyList<uint> groups)
    {
        uint[] list = [.. groups, 0];
        fixed (uint* p = list)
        {
            if (SysSetgroups((nuint)groups.Count, p) != 0)
            {
                throw LinuxException.FromLastError("setgroups");
            }
        }
    }
}
