using MyRuntime.Linux;

namespace MyRuntime.Runtime.Rootfs;

/// <summary>A mount's options split into mount flags, propagation flags and the data string, as mount(8) reads them.</summary>
public sealed class MountOptions
{
    private static readonly Dictionary<string, (bool Clear, ulong Flag)> FlagOptions = new()
    {
        ["ro"] = (false, Mounts.MS_RDONLY),
        ["rw"] = (true, Mounts.MS_RDONLY),
        ["nosuid"] = (false, Mounts.MS_NOSUID),
        ["suid"] = (true, Mounts.MS_NOSUID),
        ["nodev"] = (false, Mounts.MS_NODEV),
        ["dev"] = (true, Mounts.MS_NODEV),
        ["noexec"] = (false, Mounts.MS_NOEXEC),
        ["exec"] = (true, Mounts.MS_NOEXEC),
        ["sync"] = (false, Mounts.MS_SYNCHRONOUS),
        ["async"] = (true, Mounts.MS_SYNCHRONOUS),
        ["dirsync"] = (false, Mounts.MS_DIRSYNC),
        ["mand"] = (false, Mounts.MS_MANDLOCK),
        ["nomand"] = (true, Mounts.MS_MANDLOCK),
        ["noatime"] = (false, Mounts.MS_NOATIME),
        ["atime"] = (true, Mounts.MS_NOATIME),
        ["nodiratime"] = (false, Mounts.MS_NODIRATIME),
        ["diratime"] = (true, Mounts.MS_NODIRATIME),
        ["relatime"] = (false, Mounts.MS_RELATIME),
        ["norelatime"] = (true, Mounts.MS_RELATIME),
        ["strictatime"] = (false, Mounts.MS_STRICTATIME),
        ["nostrictatime"] = (true, Mounts.MS_STRICTATIME),
        ["lazytime"] = (false, Mounts.MS_LAZYTIME),
        ["nolazytime"] = (true, Mounts.MS_LAZYTIME),
        ["nosymfollow"] = (false, Mounts.MS_NOSYMFOLLOW),
        ["symfollow"] = (true, Mounts.MS_NOSYMFOLLOW),
        ["bind"] = (false, Mounts.MS_BIND),
        ["rbind"] = (false, Mounts.MS_BIND | Mounts.MS_REC),
        ["remount"] = (false, Mounts.MS_REMOUNT),
        ["defaults"] = (false, 0),
    };

    private static readonly Dictionary<string, ulong> PropagationOptions = new()
    {
        ["private"] = Mounts.MS_PRIVATE,
        ["rprivate"] = Mounts.MS_PRIVATE | Mounts.MS_REC,
        ["shared"] = Mounts.MS_SHARED,
        ["rshared"] = Mounts.MS_SHARED | Mounts.MS_REC,
        ["slave"] = Mounts.MS_SLAVE,
        ["rslave"] = Mounts.MS_SLAVE | Mounts.MS_REC,
        ["unbindable"] = Mounts.MS_UNBINDABLE,
        ["runbindable"] = Mounts.MS_UNBINDABLE | Mounts.MS_REC,
    };

    // Options that belong to the runtime or to other tools, not to the kernel.
    private static readonly HashSet<string> Ignored = ["tmpcopyup", "copy-symlink", "idmap", "ridmap", "X-mount.mkdir", "noswap", "rro"];

    public ulong Flags { get; private set; }

    public List<ulong> Propagation { get; } = [];

    public string Data { get; private set; } = string.Empty;

    public bool IsBind => (Flags & Mounts.MS_BIND) != 0;

    /// <summary>The flags a bind mount must be remounted with (a bind ignores them on the first call).</summary>
    public ulong RemountFlags => Flags & ~(Mounts.MS_BIND | Mounts.MS_REC | Mounts.MS_REMOUNT);

    public static MountOptions Parse(IEnumerable<string>? options)
    {
        var result = new MountOptions();
        var data = new List<string>();
        foreach (string o in options ?? [])
        {
            if (FlagOptions.TryGetValue(o, out var f))
            {
                result.Flags = f.Clear ? result.Flags & ~f.Flag : result.Flags | f.Flag;
            }
            else if (PropagationOptions.TryGetValue(o, out ulong p))
            {
                result.Propagation.Add(p);
            }
            else if (!Ignored.Contains(o))
            {
                data.Add(o);
            }
        }

        result.Data = string.Join(',', data);
        return result;
    }

    public static ulong ParsePropagation(string? name) => name switch
    {
        null or "" => Mounts.MS_SLAVE | Mounts.MS_REC,
        _ when PropagationOptions.TryGetValue(name, out ulong p) => p,
        _ => throw new RuntimeException($"config.json: unknown rootfsPropagation '{name}'"),
    };
}
