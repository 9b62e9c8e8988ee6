using System.Diagnostics;

namespace MyRuntime.IntegrationTests.Infrastructure.Registry;

/// <summary>Runs myruntime's image commands with a private --storage-root and credentials file, each in its own
/// temp directory removed on dispose.</summary>
public sealed class ImageCli : IDisposable
{
    public ImageCli()
    {
        Dir = Path.Combine(TestSettings.TempBase, "images-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Dir);
    }

    public string Dir { get; }

    public string StorageRoot => Path.Combine(Dir, "store");

    public string AuthFile => Path.Combine(Dir, "auth.json");

    public ProcResult Run(params string[] args) => RunWithInput(null, args);

    public ProcResult RunWithInput(string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo(TestSettings.RuntimeBinary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        psi.ArgumentList.Add("--storage-root");
        psi.ArgumentList.Add(StorageRoot);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["MYRUNTIME_AUTH_FILE"] = AuthFile;
        psi.Environment["DOCKER_CONFIG"] = Path.Combine(Dir, "docker-config");
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start myruntime");
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
        }

        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"myruntime {string.Join(' ', args)} did not exit within 120s");
        }

        p.WaitForExit();
        return new ProcResult("myruntime " + string.Join(' ', args), p.ExitCode, stdout.Result, stderr.Result, sw.Elapsed);
    }

    /// <summary>Files under blobs/ (count, bytes).</summary>
    public (int Count, long Bytes) BlobFiles()
    {
        string blobs = Path.Combine(StorageRoot, "blobs");
        if (!Directory.Exists(blobs))
        {
            return (0, 0);
        }

        var files = Directory.GetFiles(blobs, "*", SearchOption.AllDirectories).Select(f => new FileInfo(f)).ToList();
        return (files.Count, files.Sum(f => f.Length));
    }

    public int TmpEntries() => Directory.Exists(Path.Combine(StorageRoot, "tmp")) ? Directory.GetFileSystemEntries(Path.Combine(StorageRoot, "tmp")).Length : 0;

    public void Dispose()
    {
        // Snapshots a failed test left mounted: detach them before removing the tree.
        foreach (string mount in File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4])
            .Where(m => m.StartsWith(Dir + "/", StringComparison.Ordinal)).OrderByDescending(m => m.Length))
        {
            HostCommand.Run("umount", "-l", mount);
        }

        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
