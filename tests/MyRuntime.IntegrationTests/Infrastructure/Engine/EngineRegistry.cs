using MyRuntime.IntegrationTests.Infrastructure.Registry;

namespace MyRuntime.IntegrationTests.Infrastructure.Engine;

/// <summary>A class fixture: a real docker-registry on loopback holding the busybox test image (built offline from
/// the test bundle's rootfs, Cmd ["sh"]) as test/busybox:latest.</summary>
public sealed class EngineRegistry : IDisposable
{
    private readonly RegistryServer? registry;
    private readonly string dir;

    public EngineRegistry()
    {
        dir = Path.Combine(TestSettings.TempBase, "engreg-" + Guid.NewGuid().ToString("N")[..12]);
        if (!RegistryServer.Available)
        {
            return;
        }

        registry = RegistryServer.Start();
        var w = new OciLayoutWriter(dir);
        var layer = w.AddLayer(OciLayoutWriter.TarOfDirectory(TestSettings.ImageRootfs));
        w.TagManifest("latest", w.AddImage([layer]));
        registry.Push(dir, "latest", "test/busybox");
    }

    /// <summary>The image's reference in the registry.</summary>
    public string Busybox => $"{registry?.Host ?? "127.0.0.1:1"}/test/busybox:latest";

    public void Dispose()
    {
        registry?.Dispose();
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
