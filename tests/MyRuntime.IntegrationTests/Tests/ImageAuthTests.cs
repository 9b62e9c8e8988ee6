using MyRuntime.IntegrationTests.Infrastructure.Registry;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>Pulls from registries with htpasswd basic auth and with token auth (a test token server).</summary>
public sealed class ImageAuthTests : IDisposable
{
    private readonly ImageCli cli = new();

    public void Dispose() => cli.Dispose();

    private string PushSmallImage(RegistryServer registry, string name)
    {
        string layout = Path.Combine(cli.Dir, "layout");
        var w = new OciLayoutWriter(layout);
        w.TagManifest("v1", w.AddImage([w.AddLayer(OciLayoutWriter.TarOfFile("f", OciLayoutWriter.RandomBytes(1000)))]));
        registry.Push(layout, "v1", name);
        return $"{registry.Host}/{name}:v1";
    }

    [RegistryFact]
    public void BasicAuthNeedsLogin()
    {
        using var registry = RegistryServer.Start(RegistryServer.AuthMode.Basic);
        string name = PushSmallImage(registry, "private/app");

        var anonymous = cli.Run("pull", name);
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("authentication required", anonymous.Stderr);
        Assert.Contains(registry.Host, anonymous.Stderr);

        var wrong = cli.RunWithInput("nope\n", "login", "-u", RegistryServer.User, "--password-stdin", registry.Host);
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("wrong username or password", wrong.Stderr);
        Assert.False(File.Exists(cli.AuthFile));

        var login = cli.RunWithInput(RegistryServer.Password + "\n", "login", "-u", RegistryServer.User, "--password-stdin", registry.Host);
        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Contains("Login Succeeded", login.Stdout);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cli.AuthFile));

        var pulled = cli.Run("pull", name);
        Assert.True(pulled.ExitCode == 0, pulled.ToString());

        Assert.Contains("Removing login credentials", cli.Run("logout", registry.Host).Stdout);
        Assert.Contains("Not logged in", cli.Run("logout", registry.Host).Stdout);
        File.WriteAllText(cli.AuthFile, "{\"auths\":{\"" + registry.Host + "\":{\"auth\":\"" + Convert.ToBase64String("tester:bad"u8.ToArray()) + "\"}}}");
        var bad = cli.Run("pull", name);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("authentication failed", bad.Stderr);
    }

    [RegistryFact]
    public void TokenAuthDeniesAnonymousAndAcceptsCredentials()
    {
        using var registry = RegistryServer.Start(RegistryServer.AuthMode.Token);
        string name = PushSmallImage(registry, "tok/app");

        var anonymous = cli.Run("pull", name);
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("authentication required", anonymous.Stderr);

        var wrong = cli.Run("login", "-u", RegistryServer.User, "-p", "wrong", registry.Host);
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("wrong username or password", wrong.Stderr);

        var login = cli.Run("login", "-u", RegistryServer.User, "-p", RegistryServer.Password, registry.Host);
        Assert.True(login.ExitCode == 0, login.ToString());
        var pulled = cli.Run("pull", name);
        Assert.True(pulled.ExitCode == 0, pulled.ToString());
        Assert.Contains($"Status: Downloaded newer image for {name}", pulled.Stdout);
    }
}
