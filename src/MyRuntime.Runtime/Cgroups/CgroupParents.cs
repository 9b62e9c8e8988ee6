namespace MyRuntime.Runtime.Cgroups;

/// <summary>The directories above a container's cgroup that its create makes (a linux.cgroupsPath of several
/// levels), so that its delete removes them again once nothing else lives in them.</summary>
public static class CgroupParents
{
    /// <summary>The missing ancestors of each directory, deepest first.</summary>
    public static List<string> Missing(IReadOnlyDictionary<string, string> dirs)
    {
        var missing = new List<string>();
        foreach (string dir in dirs.Values)
        {
            for (string? d = Path.GetDirectoryName(dir); d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
            {
                missing.Add(d);
            }
        }

        return missing;
    }

    /// <summary>Removes those that are empty now; one still holding another container's cgroup stays.</summary>
    public static void Remove(IEnumerable<string>? parents)
    {
        foreach (string dir in parents ?? [])
        {
            try
            {
                Directory.Delete(dir);
            }
            catch (IOException)
            {
                // Gone already, or in use by another cgroup below it.
            }
        }
    }
}
