using System.Globalization;
using MyRuntime.Linux;

namespace MyRuntime.Runtime.Container;

/// <summary>A file in a container's state directory naming the process (pid and start time) that is signalling its
/// whole cgroup, which freezes the cgroup, signals every process and thaws it. A kill or delete killed between the
/// freeze and the thaw would leave the container frozen, paused by nobody: <see cref="ThawIfAbandoned"/> (run by
/// <see cref="LiveStatus.Of"/>) thaws a frozen cgroup whose marker names a process that is gone.</summary>
internal sealed class SignalMarker : IDisposable
{
    public const string FileName = "signalling";
    private readonly string path;

    private SignalMarker(string path) => this.path = path;

    /// <summary>Names this process as the one signalling container <paramref name="id"/> until disposed.</summary>
    public static SignalMarker Hold(StateStore store, string id)
    {
        string path = Path.Combine(store.DirOf(id), FileName);
        ulong start = ProcFs.OwnStartTime();
        File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId} {start}\n"));
        return new SignalMarker(path);
    }

    /// <summary>Forgets a marker left behind (a pause must not be taken for an interrupted signal afterwards).</summary>
    public static void Clear(StateStore store, string id) => File.Delete(Path.Combine(store.DirOf(id), FileName));

    /// <summary>Thaws <paramref name="cgroup"/> and removes the marker when the marker names a process that is gone;
    /// true when it did.</summary>
    public static bool ThawIfAbandoned(StateStore store, string id, Cgroups.ICgroup cgroup)
    {
        string path = Path.Combine(store.DirOf(id), FileName);
        string[] fields;
        try
        {
            fields = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }

        if (fields.Length == 2 && int.TryParse(fields[0], CultureInfo.InvariantCulture, out int pid)
            && ulong.TryParse(fields[1], CultureInfo.InvariantCulture, out ulong start)
            && ProcFs.IsAlive(pid, start))
        {
            return false; // still at it
        }

        cgroup.Freeze(false);
        File.Delete(path);
        return true;
    }

    public void Dispose() => File.Delete(path);
}
