using MyRuntime.IntegrationTests.Infrastructure.Engine;
using MyRuntime.IntegrationTests.Infrastructure.Registry;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>Bad flags, unknown images and containers, names in use: one clear line, a non-zero exit, nothing left.</summary>
public sealed class EngineBadInputTests(EngineRegistry registry) : IClassFixture<EngineRegistry>, IDisposable
{
    private readonly EngineHost host = new();

    public void Dispose() => host.Dispose();

    private void Fails(string expected, params string[] args)
    {
        var r = host.Run(args);
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.True(r.StderrLines.Count == 1, r.ToString());
        Assert.Contains(expected, r.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [RegistryFact]
    public void BadInputFailsCleanly()
    {
        host.Ok("run", "-d", "--name", "taken", registry.Busybox, "sleep", "1000");
        Fails("--no-such-flag", "run", "--no-such-flag", registry.Busybox, "true");
        Fails("No such image", "run", "--pull", "never", "nosuchimage", "true");
        Fails("Unable to find image", "run", "127.0.0.1:1/nope/nope:latest", "true");
        Fails("No such container", "stop", "nosuch");
        Fails("No such container", "rm", "nosuch");
        Fails("No such container", "exec", "nosuch", "true");
        Fails("No such container", "logs", "nosuch");
        Fails("already in use", "run", "--name", "taken", registry.Busybox, "true");
        Fails("invalid --memory", "run", "--memory", "1k", registry.Busybox, "true");
        Fails("invalid --pull", "run", "--pull", "sometimes", registry.Busybox, "true");
        Fails("cannot remove container", "rm", "taken");

        var notFound = host.Run("run", "--rm", registry.Busybox, "/no/such/program");
        Assert.Equal(127, notFound.ExitCode);
        Assert.Single(notFound.StderrLines);

        // Only the one good container is left, with its one snapshot and mount.
        Assert.Single(host.ContainerDirs());
        Assert.Single(Directory.GetDirectories(Path.Combine(host.StorageRoot, "snapshots")));
        Assert.Single(host.Mounts());
        host.Ok("rm", "-f", "taken");
        Assert.Empty(host.ContainerDirs());
        Assert.Empty(host.Mounts());
    }
}
