using MyRuntime.Images.Store;
using MyRuntime.Images.Unpack;
using MyRuntime.Linux;

namespace MyRuntime.Images.Snapshots;

/// <summary>A container's root filesystem: an overlayfs mount at <c>snapshots/ID/merged</c> with the image's
/// layers as lower dirs, <c>upper/</c> for the container's writes and <c>work/</c> for overlayfs.
/// <para>The lower dirs are passed the shortest way that works: one mount(2) option string when it fits in a
/// page (4095 bytes); else the new mount API with one <c>lowerdir+</c> per layer (Linux 6.8+, up to overlayfs's
/// 500 layers); else, on older kernels, each layer opened by fd and named <c>/proc/self/fd/N</c> (about 19 bytes
/// a layer, so some 200 layers). Short names are used, not relative paths from a chdir'd helper: chdir is
/// process-wide and this process is multi-threaded.</para></summary>
public static class OverlaySnapshot
{
    /// <summary>Makes snapshot <paramref name="id"/> over the layers (bottom first; none gives an empty lower
    /// dir) and mounts it; returns the merged path. A snapshot of that id must not exist.</summary>
    /// <param name="s">The store.</param>
    /// <param name="id">The snapshot's id.</param>
    /// <param name="layerDiffDirsBottomFirst">The layers' diff directories.</param>
    /// <param name="volatileUpper">Mount with overlayfs's <c>volatile</c>: no sync of the upper dir, so unmounting
    /// takes no sync of the host's filesystem (tens of ms); for snapshots whose writes are thrown away (--rm).</param>
    public static string Create(StoreLayout s, string id, IReadOnlyList<string> layerDiffDirsBottomFirst, bool volatileUpper = false)
    {
        string dir = SnapshotDir(s, id);
        Directory.CreateDirectory(s.Snapshots);
        try
        {
            Files.Mkdir(dir, 0x1c0);
        }
        catch (LinuxException e) when (e.Errno == Errno.EEXIST)
        {
            throw new ImagesException($"snapshot {id} exists already");
        }

        string merged = Path.Combine(dir, "merged");
        try
        {
            string upper = Path.Combine(dir, "upper");
            string work = Path.Combine(dir, "work");
            Files.Mkdir(upper, 0x1ed);
            Files.Mkdir(work, 0x1c0);
            Files.Mkdir(merged, 0x1ed);
            var lowers = layerDiffDirsBottomFirst.Reverse().Select(Path.GetFullPath).ToList();
            if (lowers.Count == 0)
            {
                string empty = Path.Combine(dir, "empty");
                Files.Mkdir(empty, 0x1ed);
                lowers.Add(empty);
            }

            Mount(lowers, upper, work, merged, id, volatileUpper: volatileUpper);
            return merged;
        }
        catch (Exception e) when (e is LinuxException or ImagesException or IOException)
        {
            TreeRemover.Remove(dir);
            throw e as ImagesException ?? new ImagesException($"mounting snapshot {id}: {e.Message}", e);
        }
    }

    /// <summary>Unmounts snapshot <paramref name="id"/> (detached lazily if busy) and removes its directory; nothing
    /// when it does not exist.</summary>
    public static void Remove(StoreLayout s, string id)
    {
        string dir = SnapshotDir(s, id);
        if (!Directory.Exists(dir))
        {
            return;
        }

        UnmountDir(dir, id);
        TreeRemover.Remove(dir);
    }

    /// <summary>Unmounts snapshot <paramref name="id"/> and keeps its directories (the container's writes stay for
    /// its next start); nothing when it is not mounted.</summary>
    public static void Unmount(StoreLayout s, string id)
    {
        string dir = SnapshotDir(s, id);
        if (Directory.Exists(dir))
        {
            UnmountDir(dir, id);
        }
    }

    /// <summary>Mounts an existing snapshot again over the same layers; its merged path. Nothing when mounted.</summary>
    public static string Remount(StoreLayout s, string id, IReadOnlyList<string> layerDiffDirsBottomFirst, bool volatileUpper = false)
    {
        string dir = SnapshotDir(s, id);
        string merged = Path.Combine(dir, "merged");
        if (!Directory.Exists(Path.Combine(dir, "upper")))
        {
            throw new ImagesException($"No such snapshot: {id}");
        }

        if (MountTable.CountAt(merged) > 0)
        {
            return merged;
        }

        var lowers = layerDiffDirsBottomFirst.Reverse().Select(Path.GetFullPath).ToList();
        if (lowers.Count == 0)
        {
            lowers.Add(Path.Combine(dir, "empty"));
        }

        // A volatile mount leaves work/work/incompat/volatile, and overlayfs refuses to mount over it again: its upper
        // may have lost writes in a crash. Only a snapshot whose writes are disposable is mounted volatile.
        string incompat = Path.Combine(dir, "work", "work", "incompat", "volatile");
        if (volatileUpper && Directory.Exists(incompat))
        {
            TreeRemover.Remove(incompat);
        }

        try
        {
            Mount(lowers, Path.Combine(dir, "upper"), Path.Combine(dir, "work"), merged, id, volatileUpper: volatileUpper);
        }
        catch (LinuxException e)
        {
            throw new ImagesException($"mounting snapshot {id}: {e.Message}", e);
        }

        return merged;
    }

    private static void UnmountDir(string dir, string id)
    {
        string merged = Path.Combine(dir, "merged");
        for (int n = MountTable.CountAt(merged); n > 0; n--)
        {
            int r = Mounts.TryUnmount(merged, 0);
            if (r == -Errno.EBUSY)
            {
                r = Mounts.TryUnmount(merged, Mounts.MNT_DETACH);
            }

            if (r < 0 && r != -Errno.EINVAL)
            {
                throw new ImagesException($"unmounting snapshot {id}: {Errno.Describe(-r)}");
            }
        }
    }

    /// <summary>The mount options of the classic mount(2) way (lower dirs top first).</summary>
    internal static string Options(IEnumerable<string> lowersTopFirst, string upper, string work, bool volatileUpper = false) =>
        $"lowerdir={string.Join(':', lowersTopFirst)},upperdir={upper},workdir={work}" + (volatileUpper ? ",volatile" : "")
        + (UserNamespaces.InInitial ? string.Empty : ",userxattr");

    internal static void Mount(IReadOnlyList<string> lowersTopFirst, string upper, string work, string merged, string id, bool allowNewApi = true, bool volatileUpper = false)
    {
        foreach (string p in lowersTopFirst.Append(upper).Append(work))
        {
            if (p.IndexOfAny([':', ',', '\\']) >= 0)
            {
                throw new ImagesException($"snapshot {id}: path {p} holds ':', ',' or '\\', which overlay options cannot carry");
            }
        }

        string options = Options(lowersTopFirst, upper, work, volatileUpper);
        if (options.Length <= Mounts.MaxDataLength)
        {
            Mounts.Mount("overlay", merged, "overlay", 0, options);
            return;
        }

        if (allowNewApi && TryMountWithLowerdirPlus(lowersTopFirst, upper, work, merged, id, volatileUpper))
        {
            return;
        }

        MountWithFdPaths(lowersTopFirst, upper, work, merged, id, volatileUpper);
    }

    /// <summary>fsopen/fsconfig with one <c>lowerdir+</c> per layer; false when the kernel does not know the key.</summary>
    private static bool TryMountWithLowerdirPlus(IReadOnlyList<string> lowersTopFirst, string upper, string work, string merged, string id, bool volatileUpper)
    {
        int fs = FsMount.Open("overlay");
        try
        {
            foreach (string lower in lowersTopFirst)
            {
                int r = FsMount.TrySetString(fs, "lowerdir+", lower);
                if (r == -Errno.EINVAL && lower == lowersTopFirst[0])
                {
                    return false;
                }

                if (r < 0)
                {
                    throw new LinuxException($"overlay lowerdir+ {lower}", -r);
                }
            }

            Set(fs, "upperdir", upper);
            Set(fs, "workdir", work);
            if (volatileUpper && FsMount.TrySetFlag(fs, "volatile") is int r2 and < 0)
            {
                throw new LinuxException("overlay volatile", -r2);
            }

            // In a user namespace (rootless) overlayfs keeps its own xattrs as user.overlay.* (see Whiteouts).
            if (!UserNamespaces.InInitial && FsMount.TrySetFlag(fs, "userxattr") is int r3 and < 0)
            {
                throw new LinuxException("overlay userxattr", -r3);
            }

            FsMount.CreateAndMount(fs, merged, $"overlay of snapshot {id}");
            return true;
        }
        finally
        {
            Files.Close(fs);
        }
    }

    private static void Set(int fs, string key, string value)
    {
        int r = FsMount.TrySetString(fs, key, value);
        if (r < 0)
        {
            throw new LinuxException($"overlay {key} {value}", -r);
        }
    }

    /// <summary>Older kernels: each lower opened by fd and named /proc/self/fd/N, held open until the mount is made.</summary>
    private static void MountWithFdPaths(IReadOnlyList<string> lowersTopFirst, string upper, string work, string merged, string id, bool volatileUpper)
    {
        var fds = new List<int>();
        try
        {
            foreach (string lower in lowersTopFirst)
            {
                fds.Add(Files.Open(lower, Files.O_PATH | Files.O_DIRECTORY));
            }

            string options = Options(fds.Select(fd => $"/proc/self/fd/{fd}"), upper, work, volatileUpper);
            if (options.Length > Mounts.MaxDataLength)
            {
                throw new ImagesException($"snapshot {id}: {lowersTopFirst.Count} layers are more than one overlay mount can take on this kernel (Linux 6.8 or later takes up to 500)");
            }

            Mounts.Mount("overlay", merged, "overlay", 0, options);
        }
        finally
        {
            fds.ForEach(Files.Close);
        }
    }

    private static string SnapshotDir(StoreLayout s, string id)
    {
        if (id.Length is 0 or > 128 || id is "." or ".." || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new ImagesException($"invalid snapshot id \"{EntryPath.Printable(id)}\": letters, digits, '-', '_' and '.' only");
        }

        return s.Snapshot(id);
    }
}
