using MyRuntime.Images.Unpack;
using MyRuntime.Linux;

namespace MyRuntime.Tests.Fuzz;

/// <summary>Runs the real layer unpacker into a fresh target directory beside an <c>outside</c> directory with a
/// sentinel file, then checks that nothing outside the target appeared, vanished or changed (names, sizes, modes,
/// mtimes, the sentinel's content) and that the target is a tree or the unpack failed; the target is removed after
/// each input.</summary>
public sealed class LayerSandbox : IDisposable
{
    private const string Sentinel = "untouched";
    private readonly TempDir box = new();
    private readonly string snapshot;
    private long count;

    public LayerSandbox()
    {
        Directory.CreateDirectory(box["a/outside"]);
        File.WriteAllText(box["a/outside/sentinel"], Sentinel);
        Directory.CreateDirectory(box["a/b"]);
        snapshot = Snapshot();
    }

    /// <summary>The directory the layer lands in is <c>a/b/target</c>: names climbing one or two levels reach
    /// directories that are watched.</summary>
    public void Unpack(byte[] layer, bool privileged)
    {
        string target = box[$"a/b/target{count++}"];
        Directory.CreateDirectory(target);
        try
        {
            LayerUnpacker.Unpack(new MemoryStream(layer), target, new UnpackOptions(privileged));
        }
        finally
        {
            Remove(target);
        }
    }

    private void Check(string target)
    {
        if (!Directory.Exists(target) || File.GetAttributes(target).HasFlag(FileAttributes.ReparsePoint))
        {
            throw new FuzzViolation("the target directory was replaced");
        }

        string now = Snapshot(except: target);
        if (now != snapshot)
        {
            throw new FuzzViolation($"something outside the target changed: [{snapshot}] became [{now}]");
        }

        if (File.ReadAllText(box["a/outside/sentinel"]) != Sentinel)
        {
            throw new FuzzViolation("the sentinel outside the target was overwritten");
        }
    }

    private void Remove(string target)
    {
        bool ok = false;
        try
        {
            Check(target);
            ok = true;
        }
        finally
        {
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            if (!ok)
            {
                // A later input must start from the same place.
                Directory.Delete(box["a"], recursive: true);
                Directory.CreateDirectory(box["a/outside"]);
                File.WriteAllText(box["a/outside/sentinel"], Sentinel);
                Directory.CreateDirectory(box["a/b"]);
            }
        }
    }

    /// <summary>Every name under the box but the target, walked without following symlinks, with its status.</summary>
    private string Snapshot(string? except = null)
    {
        var lines = new List<string>();
        Walk(box.Path, except, lines);
        lines.Sort(StringComparer.Ordinal);
        return string.Join("; ", lines);
    }

    private void Walk(string dir, string? except, List<string> lines)
    {
        foreach (string path in Directory.EnumerateFileSystemEntries(dir))
        {
            if (path == except)
            {
                continue;
            }

            var st = FileMetadata.TryLstat(path);
            string status = st is { } s
                ? $"{s.Mode:x} {s.Uid}:{s.Gid} links={(s.IsDirectory ? 0 : s.Links)} size={(s.IsDirectory ? 0 : s.Size)} mtime={(s.IsDirectory ? 0 : s.MtimeSeconds)}"
                : "gone";
            lines.Add($"{Path.GetRelativePath(box.Path, path)} {status}");
            if (st is { IsDirectory: true })
            {
                Walk(path, except, lines);
            }
        }
    }

    public void Dispose() => box.Dispose();
}
