namespace MyRuntime.Runtime.Cgroups.V1;

/// <summary>The v1 hierarchies mounted on this host: controller list (as /proc/self/cgroup names it) → mount point.</summary>
public static class V1Hierarchies
{
    public static Dictionary<string, string> Mounted()
    {
        var result = new Dictionary<string, string>();
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            // ... mountpoint ... - cgroup cgroup rw,memory
            int dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0)
            {
                continue;
            }

            string[] tail = line[(dash + 3)..].Split(' ');
            if (tail.Length < 3 || tail[0] != "cgroup")
            {
                continue;
            }

            string mountPoint = line.Split(' ')[4];
            var controllers = tail[2].Split(',').Where(o => o is not ("rw" or "ro") && !o.Contains('=') || o.StartsWith("name=", StringComparison.Ordinal))
                .Where(o => o is not ("relatime" or "noatime" or "nosuid" or "nodev" or "noexec" or "clone_children" or "xattr" or "noprefix"));
            string key = string.Join(',', controllers);
            if (key.Length > 0 && !result.ContainsKey(key))
            {
                result[key] = mountPoint;
            }
        }

        return result;
    }
}
