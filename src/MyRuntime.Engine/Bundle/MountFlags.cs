using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Engine.Bundle;

/// <summary>Parses -v HOST:CTR[:ro|rw] and --tmpfs PATH[:OPTIONS] into runtime-spec mounts.</summary>
public static class MountFlags
{
    private static readonly string[] TmpfsDefaults = ["noexec", "nosuid", "nodev"];

    public static Mount ParseBind(string text)
    {
        string[] parts = text.Split(':');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            throw new EngineException($"invalid volume '{text}': expected HOST:CONTAINER[:ro|rw]");
        }

        if (!parts[0].StartsWith('/'))
        {
            throw new EngineException($"invalid volume '{text}': the host path must be absolute (named volumes are not supported)");
        }

        string destination = CheckDestination(parts[1], text, "volume");
        string mode = parts.Length == 3 ? parts[2] : "rw";
        if (mode is not ("ro" or "rw"))
        {
            throw new EngineException($"invalid volume '{text}': unknown mode '{mode}' (expected ro or rw)");
        }

        return new Mount
        {
            Destination = destination,
            Type = "bind",
            Source = parts[0],
            Options = ["rbind", "rprivate", mode],
        };
    }

    public static Mount ParseTmpfs(string text)
    {
        int colon = text.IndexOf(':');
        string path = colon < 0 ? text : text[..colon];
        string destination = CheckDestination(path, text, "tmpfs");
        var options = new List<string>(TmpfsDefaults);
        if (colon >= 0)
        {
            foreach (string raw in text[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                // An explicit exec, suid or dev lifts the matching default.
                options.Remove("no" + raw);
                if (raw.StartsWith("no", StringComparison.Ordinal))
                {
                    options.Remove(raw[2..]);
                }

                if (!options.Contains(raw))
                {
                    options.Add(raw);
                }
            }
        }

        return new Mount { Destination = destination, Type = "tmpfs", Source = "tmpfs", Options = options };
    }

    private static string CheckDestination(string path, string text, string flag)
    {
        if (!path.StartsWith('/'))
        {
            throw new EngineException($"invalid {flag} '{text}': the container path must be absolute");
        }

        string clean = "/" + string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        if (clean.Split('/').Contains(".."))
        {
            throw new EngineException($"invalid {flag} '{text}': the container path must not contain '..'");
        }

        if (clean == "/")
        {
            throw new EngineException($"invalid {flag} '{text}': the container path cannot be '/'");
        }

        return clean;
    }
}
