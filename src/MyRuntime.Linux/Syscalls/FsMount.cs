using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>The new mount API (fsopen, fsconfig, fsmount, move_mount): a filesystem configured one parameter
/// at a time, free of mount(2)'s one-page limit on the option string.</summary>
public static unsafe class FsMount
{
    private const long SYS_move_mount = 429;
    private const long SYS_fsopen = 430;
    private const long SYS_fsconfig = 431;
    private const long SYS_fsmount = 432;
    private const uint FSOPEN_CLOEXEC = 1;
    private const uint FSMOUNT_CLOEXEC = 1;
    private const uint FSCONFIG_SET_STRING = 1;
    private const uint FSCONFIG_CMD_CREATE = 6;
    private const uint MOVE_MOUNT_F_EMPTY_PATH = 4;

    /// <summary>fsopen(2): a filesystem context fd (close it when done).</summary>
    public static int Open(string fsType)
    {
        byte[] name = PathBytes.Of(fsType);
        fixed (byte* p = name)
        {
            long fd = Syscall.Call(SYS_fsopen, (long)p, FSOPEN_CLOEXEC, 0, 0, 0);
            return fd >= 0 ? (int)fd : throw LinuxException.FromLastError($"fsopen {fsType}");
        }
    }

    /// <summary>fsconfig(FSCONFIG_SET_STRING); returns 0 or -errno (EINVAL: this kernel does not know the key).</summary>
    public static int TrySetString(int fsFd, string key, string value)
    {
        byte[] k = PathBytes.Of(key);
        byte[] v = PathBytes.Of(value);
        fixed (byte* pk = k)
        fixed (byte* pv = v)
        {
            return Syscall.Call(SYS_fsconfig, fsFd, FSCONFIG_SET_STRING, (long)pk, (long)pv, 0) == 0 ? 0 : -Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>fsconfig(FSCONFIG_SET_FLAG); returns 0 or -errno.</summary>
    public static int TrySetFlag(int fsFd, string key)
    {
        byte[] k = PathBytes.Of(key);
        fixed (byte* pk = k)
        {
            return Syscall.Call(SYS_fsconfig, fsFd, 0 /* FSCONFIG_SET_FLAG */, (long)pk, 0, 0) == 0 ? 0 : -Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>Creates the superblock, makes a detached mount of it and moves that onto <paramref name="target"/>.</summary>
    public static void CreateAndMount(int fsFd, string target, string what)
    {
        if (Syscall.Call(SYS_fsconfig, fsFd, FSCONFIG_CMD_CREATE, 0, 0, 0) != 0)
        {
            throw LinuxException.FromLastError($"create {what}");
        }

        long mountFd = Syscall.Call(SYS_fsmount, fsFd, FSMOUNT_CLOEXEC, 0, 0, 0);
        if (mountFd < 0)
        {
            throw LinuxException.FromLastError($"fsmount {what}");
        }

        try
        {
            byte[] empty = [0];
            byte[] to = PathBytes.Of(target);
            fixed (byte* pe = empty)
            fixed (byte* pt = to)
            {
                if (Syscall.Call(SYS_move_mount, mountFd, (long)pe, FileNodes.AT_FDCWD, (long)pt, MOVE_MOUNT_F_EMPTY_PATH) != 0)
                {
                    throw LinuxException.FromLastError($"move_mount {what} to {target}");
                }
            }
        }
        finally
        {
            Files.Close((int)mountFd);
        }
    }
}
