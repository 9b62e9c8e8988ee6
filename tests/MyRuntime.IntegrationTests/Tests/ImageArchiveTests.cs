using System.Text.Json;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>A [Fact] skipped, with the reason, when umoci or skopeo (Debian packages) are not installed.</summary>
public sealed class ArchiveToolsFactAttribute : FactAttribute
{
    public ArchiveToolsFactAttribute()
    {
        string[] missing = new[] { "umoci", "skopeo" }.Where(t => !File.Exists("/usr/bin/" + t)).ToArray();
        if (missing.Length > 0)
        {
            Skip = $"needs {string.Join(" and ", missing)} (apt-get install umoci skopeo)";
        }
    }
}

/// <summary>load, save and import with the real binary against temp stores; source images are made offline with
/// umoci from the busybox test rootfs and turned into archives with skopeo.</summary>
public sealed class ImageArchiveTests : IDisposable
{
    private readonly string dir;

    public ImageArchiveTests()
    {
        dir = Path.Combine(TestSettings.TempBase, "archive-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string P(string name) => Path.Combine(dir, name);

    private static ProcResult Ok(ProcResult r)
    {
        Assert.True(r.ExitCode == 0, $"{r.CommandLine} exited {r.ExitCode}: {r.Stderr} {r.Stdout}");
        return r;
    }

    private ProcResult My(string store, params string[] args) =>
        HostCommand.Run(TestSettings.RuntimeBinary, ["--storage-root", P(store), .. args]);

    private static ProcResult Sh(string script) => HostCommand.Run("/bin/sh", "-c", script);

    /// <summary>An OCI layout L with image tag t: one layer holding the busybox rootfs. Returns the layer's diff id.</summary>
    private string MakeSourceImage()
    {
        Ok(HostCommand.Run("umoci", "init", "--layout", P("L")));
        Ok(HostCommand.Run("umoci", "new", "--image", P("L") + ":t"));
        Ok(HostCommand.Run("umoci", "unpack", "--image", P("L") + ":t", P("bundle")));
        Ok(Sh($"cp -a '{TestSettings.ImageRootfs}'/. '{P("bundle")}/rootfs/'"));
        Ok(HostCommand.Run("umoci", "repack", "--image", P("L") + ":t", P("bundle")));
        using var doc = JsonDocument.Parse(Ok(HostCommand.Run("skopeo", "inspect", "--config", $"oci:{P("L")}:t")).Stdout);
        var diffIds = doc.RootElement.GetProperty("rootfs").GetProperty("diff_ids");
        Assert.Equal(1, diffIds.GetArrayLength());
        return diffIds[0].GetString()!;
    }

    private static JsonElement Inspect(ProcResult r) => JsonDocument.Parse(r.Stdout).RootElement[0].Clone();

    private static string[] DiffIds(JsonElement inspect) =>
        inspect.GetProperty("RootFS").GetProperty("Layers").EnumerateArray().Select(e => e.GetString()!).ToArray();

    [ArchiveToolsFact]
    public void LoadsDockerAndOciArchivesMadeBySkopeo()
    {
        string diffId = MakeSourceImage();
        Ok(HostCommand.Run("skopeo", "copy", "-q", $"oci:{P("L")}:t", $"docker-archive:{P("d.tar")}:archtest:v1"));
        Ok(HostCommand.Run("skopeo", "copy", "-q", $"oci:{P("L")}:t", $"oci-archive:{P("o.tar")}:localhost/archtest:v2"));

        Assert.Contains("Loaded image: archtest:v1", Ok(My("s", "load", "-i", P("d.tar"))).Stdout, StringComparison.Ordinal);
        Assert.Contains("Loaded image: localhost/archtest:v2", Ok(My("s", "load", "-i", P("o.tar"))).Stdout, StringComparison.Ordinal);
        string images = Ok(My("s", "images")).Stdout;
        Assert.Contains("archtest", images, StringComparison.Ordinal);
        Assert.Contains("localhost/archtest", images, StringComparison.Ordinal);
        Assert.Equal([diffId], DiffIds(Inspect(Ok(My("s", "image", "inspect", "archtest:v1")))));
        Assert.Equal([diffId], DiffIds(Inspect(Ok(My("s", "image", "inspect", "localhost/archtest:v2")))));
    }

    [ArchiveToolsFact]
    public void SavedArchivesAreReadBySkopeoAndRoundTrip()
    {
        string diffId = MakeSourceImage();
        Ok(HostCommand.Run("skopeo", "copy", "-q", $"oci:{P("L")}:t", $"oci-archive:{P("o.tar")}:localhost/archtest:v2"));
        Ok(My("s", "load", "-i", P("o.tar")));
        string id = Inspect(Ok(My("s", "image", "inspect", "localhost/archtest:v2"))).GetProperty("Id").GetString()!;

        Ok(My("s", "save", "-o", P("out.tar"), "localhost/archtest:v2"));
        using (var docker = JsonDocument.Parse(Ok(HostCommand.Run("skopeo", "inspect", $"docker-archive:{P("out.tar")}")).Stdout))
        {
            Assert.Equal([diffId], docker.RootElement.GetProperty("Layers").EnumerateArray().Select(e => e.GetString()!).ToArray());
        }

        Ok(HostCommand.Run("skopeo", "inspect", $"oci-archive:{P("out.tar")}"));
        Ok(HostCommand.Run("skopeo", "copy", "-q", $"docker-archive:{P("out.tar")}", $"oci:{P("D")}:x"));
        using (var config = JsonDocument.Parse(Ok(HostCommand.Run("skopeo", "inspect", "--config", $"oci:{P("D")}:x")).Stdout))
        {
            Assert.Equal(diffId, config.RootElement.GetProperty("rootfs").GetProperty("diff_ids")[0].GetString());
        }

        // save | load into a second store: the same image id and name.
        var piped = Ok(Sh($"'{TestSettings.RuntimeBinary}' --storage-root '{P("s")}' save localhost/archtest:v2 | '{TestSettings.RuntimeBinary}' --storage-root '{P("s2")}' load"));
        Assert.Contains("Loaded image: localhost/archtest:v2", piped.Stdout, StringComparison.Ordinal);
        Assert.Equal(id, Inspect(Ok(My("s2", "image", "inspect", "localhost/archtest:v2"))).GetProperty("Id").GetString());

        // save refuses a terminal-less nothing: an unknown image is an error and writes no file.
        Assert.NotEqual(0, My("s", "save", "-o", P("none.tar"), "nothere:1").ExitCode);
        Assert.False(File.Exists(P("none.tar")));
    }

    [ArchiveToolsFact]
    public void ImportsTheBusyboxRootfsAsOneLayer()
    {
        Ok(Sh($"tar -C '{TestSettings.ImageRootfs}' -czf '{P("rootfs.tgz")}' ."));
        string id = Ok(My("s", "import", P("rootfs.tgz"), "imported:v1")).Stdout.Trim();
        Assert.StartsWith("sha256:", id, StringComparison.Ordinal);
        Assert.Contains("imported", Ok(My("s", "images")).Stdout, StringComparison.Ordinal);
        var inspect = Inspect(Ok(My("s", "image", "inspect", "imported:v1")));
        Assert.Equal(id, inspect.GetProperty("Id").GetString());
        string diffId = Assert.Single(DiffIds(inspect));
        string plainSha = Ok(Sh($"gzip -dc '{P("rootfs.tgz")}' | sha256sum")).Stdout.Split(' ')[0];
        Assert.Equal("sha256:" + plainSha, diffId);
    }

    [ArchiveToolsFact]
    public void RefusesAHostileArchiveLeavingTheStoreEmpty()
    {
        Directory.CreateDirectory(P("evil"));
        File.WriteAllText(P("evil/manifest.json"), "[{\"Config\":\"c.json\",\"RepoTags\":[\"evil:1\"],\"Layers\":[\"../../etc/passwd\"]}]");
        File.WriteAllText(P("evil/c.json"), "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        Ok(Sh($"cd '{P("evil")}' && tar -cf '{P("evil.tar")}' manifest.json c.json && ln -s /etc/passwd layer.tar && tar -rf '{P("evil.tar")}' layer.tar"));
        var r = My("s", "load", "-i", P("evil.tar"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("outside the archive", r.Stderr, StringComparison.Ordinal);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.False(Directory.Exists(P("s/blobs")) && Directory.EnumerateFiles(P("s/blobs"), "*", SearchOption.AllDirectories).Any(), "blobs were stored");
        Assert.False(Directory.Exists(P("s/tmp")) && Directory.EnumerateFileSystemEntries(P("s/tmp")).Any(), "tmp/ is not empty");
        Assert.DoesNotContain("evil", Ok(My("s", "images")).Stdout, StringComparison.Ordinal);
    }
}
