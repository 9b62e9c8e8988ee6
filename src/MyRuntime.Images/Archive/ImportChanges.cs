using System.Text.Json;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Archive;

/// <summary>docker import --change: Dockerfile instructions applied to an imported image's config (CMD,
/// ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR).</summary>
public static class ImportChanges
{
    public static ContainerConfig? Apply(IReadOnlyList<string> changes)
    {
        if (changes.Count == 0)
        {
            return null;
        }

        var config = new ContainerConfig();
        foreach (string change in changes)
        {
            string trimmed = change.Trim();
            int space = trimmed.IndexOfAny([' ', '\t']);
            string instruction = (space < 0 ? trimmed : trimmed[..space]).ToUpperInvariant();
            string value = space < 0 ? "" : trimmed[(space + 1)..].Trim();
            if (value.Length == 0)
            {
                throw new ImagesException($"invalid --change \"{change}\": {instruction} needs a value");
            }

            switch (instruction)
            {
                case "CMD":
                    config.Cmd = Command(value, change);
                    break;
                case "ENTRYPOINT":
                    config.Entrypoint = Command(value, change);
                    break;
                case "ENV":
                    config.Env ??= [];
                    config.Env.Add(value.Contains('=', StringComparison.Ordinal) ? value : string.Join('=', value.Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries)));
                    break;
                case "EXPOSE":
                    config.ExposedPorts ??= [];
                    foreach (string port in value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                    {
                        config.ExposedPorts[port.Contains('/', StringComparison.Ordinal) ? port.ToLowerInvariant() : port + "/tcp"] = new EmptyObject();
                    }

                    break;
                case "LABEL":
                    config.Labels ??= [];
                    string[] kv = value.Split('=', 2);
                    config.Labels[kv[0]] = kv.Length > 1 ? kv[1].Trim('"') : "";
                    break;
                case "STOPSIGNAL":
                    config.StopSignal = value;
                    break;
                case "USER":
                    config.User = value;
                    break;
                case "VOLUME":
                    config.Volumes ??= [];
                    config.Volumes[value] = new EmptyObject();
                    break;
                case "WORKDIR":
                    config.WorkingDir = value;
                    break;
                default:
                    throw new ImagesException($"invalid --change \"{change}\": {instruction} is not one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR");
            }
        }

        return config;
    }

    /// <summary>The exec form (a JSON array) as given, the shell form as /bin/sh -c.</summary>
    private static List<string> Command(string value, string change)
    {
        if (!value.StartsWith('['))
        {
            return ["/bin/sh", "-c", value];
        }

        try
        {
            return JsonSerializer.Deserialize(value, ImportJson.Default.ListString) ?? throw new ImagesException($"invalid --change \"{change}\": empty command");
        }
        catch (JsonException)
        {
            throw new ImagesException($"invalid --change \"{change}\": not a JSON array of strings");
        }
    }
}

/// <summary>Source-generated JSON for the exec form of --change commands.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(List<string>))]
internal sealed partial class ImportJson : System.Text.Json.Serialization.JsonSerializerContext
{
}
