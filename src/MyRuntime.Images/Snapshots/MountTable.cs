using MyRuntime.Linux;

namespace MyRuntime.Images.Snapshots;

/// <summary>The mount points of this process's mount namespace, read from /proc/self/mountinfo.</summary>
public static class MountTable
{
    /// <summary>How many mounts are stacked on <paramref name="path"/> (0: not a mount point).</summary>
    public static int CountAt(string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        int count = 0;
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] fields = line.Split(' ');
            if (fields.Length > 4 && MountInfo.Unescape(fields[4]) == full)
            {
                count++;
            }
        }

        return count;
    }
}
