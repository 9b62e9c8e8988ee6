namespace MyRuntime.Images.Pull;

/// <summary>Where a layer's download is.</summary>
public enum LayerStatus
{
    PullingFsLayer,
    Downloading,
    DownloadComplete,
    AlreadyExists,
    Extracting,
    PullComplete,
}

/// <summary>What a pull tells its user: status lines, and per-layer progress (from several threads at once).</summary>
public interface IPullProgress
{
    /// <summary>A line such as <c>latest: Pulling from library/busybox</c>, <c>Digest: sha256:…</c>, <c>Status: …</c>.</summary>
    void Status(string line);

    /// <summary>A layer's state; <paramref name="id"/> is the first 12 hex digits of its digest.</summary>
    void Layer(string id, LayerStatus status, long current, long total);
}

/// <summary>A pull that shows nothing (pull -q).</summary>
public sealed class SilentProgress : IPullProgress
{
    public void Status(string line)
    {
    }

    public void Layer(string id, LayerStatus status, long current, long total)
    {
    }
}
