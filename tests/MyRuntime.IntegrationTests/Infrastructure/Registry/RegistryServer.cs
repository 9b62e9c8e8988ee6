using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MyRuntime.IntegrationTests.Infrastructure.Registry;

/// <summary>Debian's docker-registry (distribution 2.8) on 127.0.0.1 and a free port, with its own temp storage;
/// plain, with htpasswd basic auth, or with token auth behind a <see cref="TokenServer"/>. Killed by PID and its
/// directory removed on dispose.</summary>
public sealed class RegistryServer : IDisposable
{
    public const string Binary = "/usr/bin/docker-registry";
    public const string User = "tester";
    public const string Password = "s3cret-pass";
    private readonly Process process;

    private RegistryServer(string dir, int port, Process process, TokenServer? tokens)
    {
        Dir = dir;
        Port = port;
        this.process = process;
        Tokens = tokens;
    }

    public static bool Available => File.Exists(Binary) && File.Exists("/usr/bin/skopeo");

    public const string SkipReason = "docker-registry or skopeo not installed (apt-get install docker-registry skopeo apache2-utils)";

    public string Dir { get; }

    public int Port { get; }

    public string Host => $"127.0.0.1:{Port}";

    public TokenServer? Tokens { get; }

    /// <summary>Where the registry keeps blobs: DATA/docker/registry/v2/blobs/sha256/XX/HEX/data.</summary>
    public string BlobData(string digest)
    {
        string hex = digest["sha256:".Length..];
        return Path.Combine(Dir, "data", "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data");
    }

    public enum AuthMode
    {
        None,
        Basic,
        Token,
    }

    public static RegistryServer Start(AuthMode mode = AuthMode.None)
    {
        string dir = Path.Combine(TestSettings.TempBase, "registry-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        TokenServer? tokens = null;
        try
        {
            int port = FreePort();
            string auth = "";
            if (mode == AuthMode.Basic)
            {
                string htpasswd = Path.Combine(dir, "htpasswd");
                var r = HostCommand.Run("htpasswd", "-Bbc", htpasswd, User, Password);
                if (r.ExitCode != 0)
                {
                    throw new InvalidOperationException("htpasswd failed: " + r);
                }

                auth = $"auth:\n  htpasswd:\n    realm: test-realm\n    path: {htpasswd}\n";
            }
            else if (mode == AuthMode.Token)
            {
                tokens = TokenServer.Start(dir, User, Password);
                auth = $"auth:\n  token:\n    realm: {tokens.Realm}\n    service: {TokenServer.Service}\n    issuer: {TokenServer.Issuer}\n    rootcertbundle: {tokens.CertificatePath}\n";
            }

            string config = Path.Combine(dir, "config.yml");
            File.WriteAllText(config,
                "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n" +
                $"    rootdirectory: {Path.Combine(dir, "data")}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n" + auth);
            var psi = new ProcessStartInfo(Binary)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            psi.ArgumentList.Add("serve");
            psi.ArgumentList.Add(config);
            foreach (string key in psi.Environment.Keys.Where(k => k.StartsWith("REGISTRY_", StringComparison.Ordinal)).ToList())
            {
                psi.Environment.Remove(key);
            }

            var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start docker-registry");
            p.OutputDataReceived += (_, _) => { };
            p.ErrorDataReceived += (_, _) => { };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            var server = new RegistryServer(dir, port, p, tokens);
            server.WaitReady();
            return server;
        }
        catch
        {
            tokens?.Dispose();
            Directory.Delete(dir, recursive: true);
            throw;
        }
    }

    private void WaitReady()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"docker-registry exited at start with {process.ExitCode}");
            }

            try
            {
                using var resp = http.GetAsync($"http://{Host}/v2/").GetAwaiter().GetResult();
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet, or too slow to answer on a loaded machine: ask again
                Thread.Sleep(100);
            }
        }

        Dispose();
        throw new TimeoutException("docker-registry did not answer within 30s");
    }

    /// <summary>skopeo copy of an OCI layout's TAG to NAME:TAG here (--all for an index).</summary>
    public void Push(string layoutDir, string tag, string name, bool all = false)
    {
        var args = new List<string> { "--insecure-policy", "copy", "--dest-tls-verify=false" };
        if (all)
        {
            args.Add("--all");
        }

        if (Tokens is not null || File.Exists(Path.Combine(Dir, "htpasswd")))
        {
            args.Add($"--dest-creds={User}:{Password}");
        }

        args.Add($"oci:{layoutDir}:{tag}");
        args.Add($"docker://{Host}/{name}:{tag}");
        var r = HostCommand.Run("skopeo", args.ToArray());
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException("skopeo push failed: " + r);
        }
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
        Tokens?.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

/// <summary>A [Fact] skipped (with the reason) when docker-registry or skopeo is not installed.</summary>
public sealed class RegistryFactAttribute : FactAttribute
{
    public RegistryFactAttribute()
    {
        if (!RegistryServer.Available)
        {
            Skip = RegistryServer.SkipReason;
        }
    }
}
