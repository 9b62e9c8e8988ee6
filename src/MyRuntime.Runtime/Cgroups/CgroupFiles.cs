using MyRuntime.Linux;

namespace MyRuntime.Runtime.Cgroups;

/// <summary>Reading and writing cgroup control files, with errors that name the file and the value.</summary>
public static class CgroupFiles
{
    public static void Write(string dir, string file, string value)
    {
        string path = Path.Combine(dir, file);
        try
        {
            File.WriteAllText(path, value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // .NET's message ends with " : 'PATH'", which the line already names.
            throw new RuntimeException($"cgroup: write '{value}' to {path}: {e.Message.Replace($" : '{path}'", string.Empty, StringComparison.Ordinal)}");
        }
    }

    public static string Read(string dir, string file)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dir, file)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    /// <summary>The number after "key " on a line of a flat keyed file (memory.events, memory.oom_control).</summary>
    public static long KeyedValue(string dir, string file, string key)
    {
        foreach (string line in Read(dir, file).Split('\n'))
        {
            string[] f = line.Split(' ', 2);
            if (f.Length == 2 && f[0] == key && long.TryParse(f[1], out long v))
            {
                return v;
            }
        }

        return 0;
    }

    public static List<int> Procs(string dir)
    {
        var pids = new List<int>();
        foreach (string line in Read(dir, "cgroup.procs").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(line, out int pid))
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    /// <summary>rmdir, retried while the last processes are still leaving (EBUSY); gone already is fine.</summary>
    public static void RemoveDir(string dir)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                Directory.Delete(dir);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException) when (attempt < 100)
            {
                Thread.Sleep(10);
            }
            catch (IOException e)
            {
                throw new RuntimeException($"cgroup: remove {dir}: {e.Message}");
            }
        }
    }

    /// <summary>A container's cgroup may exist already (made by an engine, or left empty) but must not hold
    /// processes: they would share its limits and die with its delete.</summary>
    public static void EnsureUnused(string dir)
    {
        if (Procs(dir).Count > 0)
        {
            throw new RuntimeException($"cgroup {dir} already holds processes (a container of the same id under another --root?)");
        }
    }

    /// <summary>mkdir -p, returning the directories it made (outermost first) so that a failure can undo them.</summary>
    public static List<string> MakeDirs(string root, string relative)
    {
        var made = new List<string>();
        string current = root;
        foreach (string part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            if (!Directory.Exists(current))
            {
                try
                {
                    Files.Mkdir(current, 0x1ed);
                    made.Add(current);
                }
                catch (LinuxException e) when (e.Errno == Errno.EEXIST)
                {
                }
                catch (LinuxException e)
                {
                    throw new RuntimeException($"cgroup: {e.Message}");
                }
            }
        }

        return made;
    }
}
