using System.Text.Json;
using MyRuntime.Linux;

namespace MyRuntime.Runtime.Container;

/// <summary>Containers' records under the root directory: ROOT/ID/state.json written atomically (temp file and
/// rename), and a flock on ROOT/ID that serialises every change to one container.</summary>
public sealed class StateStore
{
    public const string StateFile = "state.json";
    public const string FifoFile = "exec.fifo";

    public StateStore(string root)
    {
        Root = root;
    }

    public string Root { get; }

    public string DirOf(string id) => Path.Combine(Root, id);

    public string FifoOf(string id) => Path.Combine(Root, id, FifoFile);

    public static void ValidateId(string id)
    {
        if (string.IsNullOrEmpty(id) || id is "." or ".." || id.Length > 1024)
        {
            throw new RuntimeException($"invalid container id '{id}'");
        }

        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '-' or '.'))
            {
                throw new RuntimeException($"invalid container id '{id}': only letters, digits, '_', '+', '-' and '.' are allowed");
            }
        }
    }

    /// <summary>Makes ROOT/ID and locks it; fails if the id is taken.</summary>
    public FileLock CreateLocked(string id)
    {
        ValidateId(id);
        Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string dir = DirOf(id);
        try
        {
            Files.Mkdir(dir, 0x1c0 /* 0700 */);
        }
        catch (LinuxException e) when (e.Errno == Errno.EEXIST)
        {
            if (!RemoveIfAbandoned(dir))
            {
                throw new RuntimeException($"container with id {id} already exists");
            }

            Files.Mkdir(dir, 0x1c0);
        }
        catch (LinuxException e)
        {
            throw new RuntimeException($"create state directory: {e.Message}");
        }

        var l = FileLock.OnDirectory(dir);
        if (File.Exists(Path.Combine(dir, StateFile)))
        {
            l.Dispose();
            throw new RuntimeException($"container with id {id} already exists");
        }

        return l;
    }

    /// <summary>A directory without state.json that nobody holds locked is what a create killed half-way left:
    /// it is removed so that the id can be used again.</summary>
    private static bool RemoveIfAbandoned(string dir)
    {
        if (File.Exists(Path.Combine(dir, StateFile)))
        {
            return false;
        }

        int fd = Files.Open(dir, Files.O_RDONLY | Files.O_DIRECTORY);
        try
        {
            if (!Files.TryFlock(fd, Files.LOCK_EX) || File.Exists(Path.Combine(dir, StateFile)))
            {
                return false;
            }

            Directory.Delete(dir, recursive: true);
            return true;
        }
        finally
        {
            Files.Close(fd);
        }
    }

    /// <summary>True when ID has no state and nothing of it is left: no directory, or an abandoned one (a create
    /// killed half-way), removed now. What `delete --force` of an unknown id answers with success, as runc.</summary>
    public bool GoneOrAbandoned(string id)
    {
        ValidateId(id);
        string dir = DirOf(id);
        try
        {
            return !Directory.Exists(dir) || RemoveIfAbandoned(dir);
        }
        catch (LinuxException e) when (e.Errno is Errno.ENOENT)
        {
            return true;
        }
    }

    /// <summary>Locks an existing container's directory.</summary>
    public FileLock Lock(string id)
    {
        ValidateId(id);
        string dir = DirOf(id);
        try
        {
            return FileLock.OnDirectory(dir);
        }
        catch (LinuxException e) when (e.Errno is Errno.ENOENT or Errno.ENOTDIR)
        {
            throw NotFound(id);
        }
    }

    public static RuntimeException NotFound(string id) => new($"container {id} does not exist");

    public ContainerState Load(string id)
    {
        ValidateId(id);
        string path = Path.Combine(DirOf(id), StateFile);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            throw NotFound(id);
        }
        catch (DirectoryNotFoundException)
        {
            throw NotFound(id);
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, RuntimeJson.Default.ContainerState)
                ?? throw new RuntimeException($"state of container {id} is empty");
        }
        catch (JsonException e)
        {
            throw new RuntimeException($"state of container {id} is corrupt: {e.Message}");
        }
    }

    public bool TryLoad(string id, out ContainerState state)
    {
        try
        {
            state = Load(id);
            return true;
        }
        catch (RuntimeException)
        {
            state = new ContainerState();
            return false;
        }
    }

    public void Save(ContainerState state)
    {
        string dir = DirOf(state.Id);
        string tmp = Path.Combine(dir, StateFile + ".tmp");
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
        {
            JsonSerializer.Serialize(f, state, RuntimeJson.Default.ContainerState);
        }

        File.Move(tmp, Path.Combine(dir, StateFile), overwrite: true);
    }

    public void Remove(string id)
    {
        string dir = DirOf(id);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public IEnumerable<string> Ids()
    {
        if (!Directory.Exists(Root))
        {
            yield break;
        }

        foreach (string d in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
        {
            if (File.Exists(Path.Combine(d, StateFile)))
            {
                yield return Path.GetFileName(d);
            }
        }
    }
}
