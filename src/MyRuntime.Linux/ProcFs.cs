namespace MyRuntime.Linux;

/// <summary>Facts about processes read from /proc.</summary>
public static class ProcFs
{
    /// <summary>The state letter and start time (clock ticks since boot) of a process, or null if it is gone.</summary>
    public static (char State, ulong StartTime)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // pid (comm) S ppid ... ; comm may hold spaces and parentheses, so split after the last ')'.
        int close = text.LastIndexOf(')');
        if (close < 0 || close + 2 >= text.Length)
        {
            return null;
        }

        string[] fields = text[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        return fields.Length > 19 && ulong.TryParse(fields[19], out ulong start) ? (fields[0][0], start) : null;
    }

    /// <summary>True while the process that had <paramref name="startTime"/> runs under <paramref name="pid"/>: not
    /// gone, not a zombie, and not another process that reused the pid.</summary>
    public static bool IsAlive(int pid, ulong startTime) =>
        pid > 0 && Stat(pid) is { } st && st.StartTime == startTime && st.State is not ('Z' or 'X' or 'x');

    /// <summary>This process's start time, which with its pid names it for <see cref="IsAlive"/>.</summary>
    public static ulong OwnStartTime() => Stat(Environment.ProcessId)?.StartTime ?? 0;

    /// <summary>Every pid on the host whose namespace of the given kind is the one identified by inode.</summary>
    public static List<int> PidsInNamespace(string kind, ulong inode)
    {
        var pids = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out int pid) && Namespaces.Inode($"{dir}/ns/{kind}") == inode)
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    /// <summary>The command line of a process, arguments joined by spaces.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
