namespace MyRuntime.Runtime.Rootfs;

/// <summary>Resolves a path inside a root directory the way the container would see it: symlinks and ".." are
/// followed but can never lead outside the root.</summary>
public static class SecureJoin
{
    private const int MaxLinks = 255;

    public static string Join(string root, string unsafePath)
    {
        root = root.TrimEnd('/');
        var resolved = new List<string>();
        var pending = new Stack<string>(Split(unsafePath).Reverse());
        int links = 0;
        while (pending.Count > 0)
        {
            string part = pending.Pop();
            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            string candidate = root + "/" + string.Join('/', resolved.Append(part));
            string? target = ReadLink(candidate);
            if (target is null)
            {
                resolved.Add(part);
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new RuntimeException($"too many levels of symbolic links resolving {unsafePath} in {root}");
            }

            if (target.StartsWith('/'))
            {
                resolved.Clear();
            }

            foreach (string t in Split(target).Reverse())
            {
                pending.Push(t);
            }
        }

        return resolved.Count == 0 ? (root.Length == 0 ? "/" : root) : root + "/" + string.Join('/', resolved);
    }

    private static IEnumerable<string> Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
