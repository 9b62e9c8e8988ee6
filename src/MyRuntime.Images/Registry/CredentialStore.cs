using System.Text.Json;
using MyRuntime.Images.Reference;
using MyRuntime.Images.Store;

namespace MyRuntime.Images.Registry;

/// <summary>Registry credentials: the file <c>myruntime login</c> writes ($MYRUNTIME_AUTH_FILE or
/// ~/.config/myruntime/auth.json, mode 0600, docker config.json format), then docker's own
/// ($DOCKER_CONFIG/config.json or ~/.docker/config.json), read only.</summary>
public sealed class CredentialStore
{
    public CredentialStore(string authFile, string? dockerConfig)
    {
        AuthFilePath = authFile;
        DockerConfigPath = dockerConfig;
    }

    public string AuthFilePath { get; }

    public string? DockerConfigPath { get; }

    public static CredentialStore FromEnvironment()
    {
        string home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : "/root";
        string auth = Environment.GetEnvironmentVariable("MYRUNTIME_AUTH_FILE") is { Length: > 0 } a ? a
            : Path.Combine(home, ".config", "myruntime", "auth.json");
        string docker = Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } d ? Path.Combine(d, "config.json")
            : Path.Combine(home, ".docker", "config.json");
        return new CredentialStore(auth, docker);
    }

    /// <summary>The key a registry is saved under: host[:port], docker.io for Docker Hub's names.</summary>
    public static string Normalize(string server)
    {
        string s = server.Trim();
        int scheme = s.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            s = s[(scheme + 3)..];
        }

        int slash = s.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            s = s[..slash];
        }

        s = s.ToLowerInvariant();
        return s is "index.docker.io" or "registry-1.docker.io" ? ImageReference.DockerHub : s;
    }

    /// <summary>The credentials known for a registry, or null.</summary>
    public RegistryCredentials? Find(string registry)
    {
        string key = Normalize(registry);
        foreach (string? path in new[] { AuthFilePath, DockerConfigPath })
        {
            if (path is null || Read(path) is not { } file)
            {
                continue;
            }

            foreach (var (server, entry) in file.Auths)
            {
                if (Normalize(server) != key)
                {
                    continue;
                }

                var creds = RegistryCredentials.Decode(entry.Auth)
                    ?? (entry.Username is { Length: > 0 } u ? new RegistryCredentials(u, entry.Password ?? "") : null);
                if (creds is not null)
                {
                    return creds;
                }
            }
        }

        return null;
    }

    /// <summary>Saves credentials in the auth file (written atomically, mode 0600).</summary>
    public void Save(string registry, RegistryCredentials credentials)
    {
        var file = Read(AuthFilePath) ?? new AuthFile();
        RemoveKey(file, registry);
        file.Auths[Normalize(registry)] = new AuthEntry { Auth = credentials.Encoded };
        Write(file);
    }

    /// <summary>Removes a registry's credentials from the auth file; false when there were none.</summary>
    public bool Remove(string registry)
    {
        if (Read(AuthFilePath) is not { } file || !RemoveKey(file, registry))
        {
            return false;
        }

        Write(file);
        return true;
    }

    private static bool RemoveKey(AuthFile file, string registry)
    {
        string key = Normalize(registry);
        var keys = file.Auths.Keys.Where(k => Normalize(k) == key).ToList();
        foreach (string k in keys)
        {
            file.Auths.Remove(k);
        }

        return keys.Count > 0;
    }

    private static AuthFile? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), RegistryJson.Default.AuthFile);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException e)
        {
            throw new ImagesException($"cannot read credentials file {path}: {e.Message}");
        }
    }

    private void Write(AuthFile file)
    {
        string temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(AuthFilePath))!, $".{Path.GetFileName(AuthFilePath)}.{Environment.ProcessId}.tmp");
        AtomicFile.Replace(AuthFilePath, temp, JsonSerializer.SerializeToUtf8Bytes(file, RegistryJson.Default.AuthFile), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
