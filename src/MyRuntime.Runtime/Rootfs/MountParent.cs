namespace MyRuntime.Runtime.Rootfs;

/// <summary>The mount a path lies on, from /proc/self/mountinfo (the namespace the container's is copied from).</summary>
public static class MountParent
{
    /// <summary>The mount point of the mount holding <paramref name="path"/> (the path itself when it is one).</summary>
    public static string Of(string path)
    {
        string real = Resolve(path);
        string best = "/";
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] fields = line.Split(' ');
            if (fields.Length <= 4)
            {
                continue;
            }

            string mountPoint = Unescape(fields[4]);
            bool holds = mountPoint == "/" || real == mountPoint || real.StartsWith(mountPoint + "/", StringComparison.Ordinal);
            if (holds && mountPoint.Length > best.Length)
            {
                best = mountPoint;
            }
        }

        return best;
    }

    /// <summary>The path with every symbolic link resolved (mountinfo names real paths).</summary>
    private static string Resolve(string path, int depth = 0)
    {
        if (depth > 40)
        {
            throw new RuntimeException($"rootfs {path}: too many levels of symbolic links");
        }

        string result = "/";
        foreach (string part in Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Combine(result, part);
            string? target = new FileInfo(next).LinkTarget;
            result = target is null ? next : Resolve(Path.GetFullPath(target, result), depth + 1);
        }

        return result;
    }

    /// <summary>mountinfo writes space, tab, newline and backslash as \ooo octal escapes.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var sb = new System.Text.StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field.AsSpan(i + 1, 3).IndexOfAnyExceptInRange('0', '7') < 0)
            {
                sb.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }

        return sb.ToString();
    }
}
