using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Engine.Bundle;

/// <summary>Parses --device HOST[:CONTAINER][:PERMISSIONS] and turns host device nodes into linux.devices entries
/// with their cgroup allow rules.</summary>
public static class DeviceFlags
{
    /// <summary>The host path, container path and permissions ("rwm" subset) of a --device value.</summary>
    public static (string Host, string Container, string Permissions) Parse(string text)
    {
        string[] parts = text.Split(':');
        string host = parts[0];
        string container = host;
        string permissions = "rwm";
        switch (parts.Length)
        {
            case 1:
                break;
            case 2 when IsPermissions(parts[1]):
                permissions = parts[1];
                break;
            case 2:
                container = parts[1];
                break;
            case 3:
                container = parts[1];
                permissions = parts[2];
                break;
            default:
                throw Invalid(text);
        }

        if (!host.StartsWith('/') || !container.StartsWith('/'))
        {
            throw new EngineException($"invalid --device '{text}': the paths must be absolute");
        }

        if (!IsPermissions(permissions))
        {
            throw new EngineException($"invalid --device '{text}': permissions must be a combination of r, w and m");
        }

        return (host, container, permissions);
    }

    public static Device ToSpecDevice(HostDevice d, string containerPath) => new()
    {
        Type = d.Type.ToString(),
        Path = containerPath,
        Major = d.Major,
        Minor = d.Minor,
        FileMode = d.FileMode,
        Uid = d.Uid,
        Gid = d.Gid,
    };

    public static LinuxDeviceCgroup AllowRule(HostDevice d, string permissions) => new()
    {
        Allow = true,
        Type = d.Type.ToString(),
        Major = d.Major,
        Minor = d.Minor,
        Access = permissions,
    };

    private static bool IsPermissions(string s) =>
        s.Length is > 0 and <= 3 && s.All(c => c is 'r' or 'w' or 'm') && s.Distinct().Count() == s.Length;

    private static EngineException Invalid(string text) =>
        new($"invalid --device '{text}': expected HOST[:CONTAINER][:PERMISSIONS]");
}
