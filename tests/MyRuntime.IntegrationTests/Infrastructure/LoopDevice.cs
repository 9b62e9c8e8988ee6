using System.Globalization;
using System.Text.Json.Nodes;

namespace MyRuntime.IntegrationTests.Infrastructure;

/// <summary>A loop device over a sparse file in a test's directory: a disk of the test's own to limit. Detached on
/// Dispose (lazily by the kernel, if a container still holds it open).</summary>
public sealed class LoopDevice : IDisposable
{
    private LoopDevice(string path, int major, int minor)
    {
        Path = path;
        Major = major;
        Minor = minor;
    }

    public string Path { get; }

    public int Major { get; }

    public int Minor { get; }

    public static LoopDevice Attach(string dir, long size = 16 << 20)
    {
        string image = System.IO.Path.Combine(dir, "disk.img");
        using (var f = File.Create(image))
        {
            f.SetLength(size);
        }

        if (!File.Exists("/dev/loop-control"))
        {
            HostCommand.Run("modprobe", "loop"); // a host without udev: the node appears with the module
        }

        var r = HostCommand.Run("losetup", "-f", "--show", image);
        Assert.True(r.ExitCode == 0 && r.Stdout.Trim().StartsWith("/dev/loop", StringComparison.Ordinal), r.ToString());
        string path = r.Stdout.Trim();
        try
        {
            string[] dev = File.ReadAllText($"/sys/class/block/{System.IO.Path.GetFileName(path)}/dev").Trim().Split(':');
            return new LoopDevice(path, int.Parse(dev[0], CultureInfo.InvariantCulture), int.Parse(dev[1], CultureInfo.InvariantCulture));
        }
        catch
        {
            HostCommand.Run("losetup", "-d", path);
            throw;
        }
    }

    /// <summary>Gives the device to a bundle's container as /dev/io0, with an explicit device cgroup rule for it
    /// (a bundle may deny devices by default), and sets linux.resources.blockIO when given.</summary>
    public Bundle AddTo(Bundle b, string? blockIOJson)
    {
        b.Linux["devices"] = new JsonArray(new JsonObject { ["path"] = "/dev/io0", ["type"] = "b", ["major"] = Major, ["minor"] = Minor });
        var resources = b.Linux["resources"] as JsonObject ?? new JsonObject();
        resources["devices"] = new JsonArray(new JsonObject { ["allow"] = true, ["type"] = "b", ["major"] = Major, ["minor"] = Minor, ["access"] = "rwm" });
        if (blockIOJson is not null)
        {
            resources["blockIO"] = JsonNode.Parse(blockIOJson);
        }

        b.Linux["resources"] = resources;
        return b;
    }

    public void Dispose() => HostCommand.Run("losetup", "-d", Path);
}
