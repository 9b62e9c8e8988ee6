namespace MyRuntime.Runtime.Config;

/// <summary>Which Linux security modules the host runs (the spec's apparmorProfile, selinuxLabel, mountLabel).</summary>
public static class SecurityModules
{
    /// <summary>AppArmor is loaded and enabled (/sys/module/apparmor/parameters/enabled is "Y").</summary>
    public static bool AppArmorEnabled() => ReadTrimmed("/sys/module/apparmor/parameters/enabled") == "Y";

    /// <summary>SELinux is enabled: its filesystem is mounted at /sys/fs/selinux.</summary>
    public static bool SelinuxEnabled() => File.Exists("/sys/fs/selinux/enforce");

    private static string? ReadTrimmed(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
