using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>The descriptors a process holds that would survive execve.</summary>
public static partial class Descriptors
{
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int SysFcntl(int fd, int cmd, int arg);

    /// <summary>Open descriptors above 2 without close-on-exec: those this process was given by its parent
    /// (the runtime opens its own with O_CLOEXEC).</summary>
    public static List<int> Inheritable()
    {
        var result = new List<int>();
        foreach (string entry in Directory.GetFileSystemEntries("/proc/self/fd"))
        {
            if (int.TryParse(Path.GetFileName(entry), out int fd) && fd > 2)
            {
                int flags = SysFcntl(fd, 1 /* F_GETFD */, 0);
                if (flags >= 0 && (flags & 1 /* FD_CLOEXEC */) == 0)
                {
                    result.Add(fd);
                }
            }
        }

        result.Sort();
        return result;
    }
}
