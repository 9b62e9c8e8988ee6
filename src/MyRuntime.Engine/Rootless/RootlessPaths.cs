using System.Globalization;

namespace MyRuntime.Engine.Rootless;

/// <summary>Where a rootless engine keeps things: the store under the user's data home
/// (<c>$XDG_DATA_HOME/myruntime</c>, else <c>~/.local/share/myruntime</c>), the run root under
/// <c>$XDG_RUNTIME_DIR/myruntime</c> (else <c>/tmp/myruntime-run-UID</c>, as podman falls back).</summary>
public static class RootlessPaths
{
    public static string StorageRoot(uint uid)
    {
        if (Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } data && Path.IsPathRooted(data))
        {
            return Path.Combine(data, "myruntime");
        }

        string home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h && Path.IsPathRooted(h)
            ? h
            : throw new EngineException("rootless: neither $XDG_DATA_HOME nor $HOME is set: no place for the image store");
        return Path.Combine(home, ".local", "share", "myruntime");
    }

    public static string RunRoot(uint uid) =>
        Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } run && Path.IsPathRooted(run)
            ? Path.Combine(run, "myruntime")
            : $"/tmp/myruntime-run-{uid.ToString(CultureInfo.InvariantCulture)}";
}
