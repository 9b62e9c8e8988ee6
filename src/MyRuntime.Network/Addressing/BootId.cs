namespace MyRuntime.Network.Addressing;

/// <summary>The kernel's id of this boot: what a network made before a reboot no longer has (bridges, rules).</summary>
public static class BootId
{
    private static readonly Lazy<string> Id = new(() =>
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    });

    public static string Value => Id.Value;
}
