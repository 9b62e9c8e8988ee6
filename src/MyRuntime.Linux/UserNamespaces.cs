namespace MyRuntime.Linux;

/// <summary>Facts about the user namespace this process runs in.</summary>
public static class UserNamespaces
{
    private static readonly Lazy<bool> Initial = new(ReadInitial);

    /// <summary>True in the host's (initial) user namespace, whose uid_map is the whole identity range; false inside
    /// a user namespace (rootless: root here is not root on the host, so host-wide privileges are not ours).</summary>
    public static bool InInitial => Initial.Value;

    private static bool ReadInitial()
    {
        try
        {
            string[] fields = File.ReadAllText("/proc/self/uid_map").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return fields is ["0", "0", "4294967295"];
        }
        catch (IOException)
        {
            return true;
        }
    }
}
