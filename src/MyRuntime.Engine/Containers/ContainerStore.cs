using System.Text.Json;
using MyRuntime.Linux;

namespace MyRuntime.Engine.Containers;

/// <summary>The engine's containers on disk: ROOT/containers/ID/container.json per container, ROOT/names.json (name →
/// id) keeping names unique, ROOT/containers.lock taken exclusively around every change. Records are written
/// atomically (temp file in the same directory, then rename). The index is written before a record and after a
/// removal, so that a crash never leaves a name unreserved; a name whose container record is gone counts as free.
/// <see cref="Find"/> takes a name, id or id prefix; the other operations take the exact id.</summary>
public sealed class ContainerStore
{
    private const int MaxNameRetries = 100;

    private static int tempCounter;

    public ContainerStore(string root)
    {
        Root = root;
    }

    public string Root { get; }

    public string ContainersDir => Path.Combine(Root, "containers");

    private string IndexPath => Path.Combine(Root, "names.json");

    private string LockPath => Path.Combine(Root, "containers.lock");

    /// <summary>The directory of one container's record (and whatever else the engine keeps per container).</summary>
    public string ContainerDir(string id) => Path.Combine(ContainersDir, id);

    /// <summary>Stores a new container. An empty <see cref="ContainerRecord.Id"/> gets a new random id, an empty
    /// name a generated one; a name in use is Docker's conflict error.</summary>
    public ContainerRecord Create(ContainerRecord record)
    {
        if (record.Id.Length == 0)
        {
            record.Id = ContainerRecord.NewId();
        }
        else if (!ContainerRecord.IsValidId(record.Id))
        {
            throw new EngineException($"invalid container id {record.Id}: expected 64 lowercase hex digits");
        }

        bool generate = record.Name.Length == 0;
        if (!generate)
        {
            record.Name = ContainerNames.Validate(record.Name);
        }

        using var held = FileLock.OnFile(LockPath, exclusive: true);
        if (Directory.Exists(ContainerDir(record.Id)))
        {
            throw new EngineException($"a container with id {record.Id} already exists");
        }

        SortedDictionary<string, string> names = ReadIndex();
        if (generate)
        {
            record.Name = FreeGeneratedName(names);
        }
        else
        {
            ThrowIfNameTaken(names, record.Name);
        }

        Directory.CreateDirectory(ContainerDir(record.Id));
        try
        {
            names[record.Name] = record.Id;
            WriteIndex(names);
            WriteRecord(record);
        }
        catch
        {
            Directory.Delete(ContainerDir(record.Id), recursive: true);
            throw;
        }

        return record;
    }

    /// <summary>A container by exact name (with or without the leading slash), exact id, or unique id prefix.</summary>
    public ContainerRecord Find(string idOrNameOrPrefix)
    {
        string key = idOrNameOrPrefix.StartsWith('/') ? idOrNameOrPrefix[1..] : idOrNameOrPrefix;
        if (key.Length > 0)
        {
            if (ReadIndex().TryGetValue(key, out string? byName) && ReadMade(byName) is { } named)
            {
                return named;
            }

            if (ContainerRecord.IsValidId(key) && ReadMade(key) is { } exact)
            {
                return exact;
            }

            List<string> matches = Ids().Where(id => id.StartsWith(key, StringComparison.Ordinal)).Take(2).ToList();
            if (matches.Count > 1)
            {
                throw new EngineException($"multiple IDs found with provided prefix: {idOrNameOrPrefix}");
            }

            if (matches.Count == 1 && ReadMade(matches[0]) is { } prefixed)
            {
                return prefixed;
            }
        }

        throw new EngineException($"No such container: {idOrNameOrPrefix}");
    }

    /// <summary>All containers, oldest first.</summary>
    public List<ContainerRecord> List() =>
        Ids().Select(ReadMade).OfType<ContainerRecord>().OrderBy(r => r.Created).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();

    /// <summary>The ids of containers whose making was interrupted: a record whose maker died before completing it, or
    /// (seen under the lock, which <see cref="Create"/> holds until the record is written) a directory with no record.</summary>
    public List<string> Abandoned()
    {
        using var held = FileLock.OnFile(LockPath, exclusive: true);
        return Ids().Where(id => ReadRecord(id) is not { } r || CreatorProcess.Abandoned(r)).ToList();
    }

    /// <summary>Removes the directory of an abandoned container and frees its name; nothing if it is gone, or if it
    /// is not abandoned (any more) by the time the lock is held.</summary>
    public void RemoveAbandoned(string id)
    {
        using var held = FileLock.OnFile(LockPath, exclusive: true);
        ContainerRecord? record = ReadRecord(id);
        if (!Directory.Exists(ContainerDir(id)) || (record is not null && !CreatorProcess.Abandoned(record)))
        {
            return;
        }

        Directory.Delete(ContainerDir(id), recursive: true);
        SortedDictionary<string, string> names = ReadIndex();
        int before = names.Count;
        foreach (string name in names.Where(n => n.Value == id).Select(n => n.Key).ToList())
        {
            names.Remove(name);
        }

        if (names.Count != before)
        {
            WriteIndex(names);
        }
    }

    /// <summary>Changes a record under the lock (read, <paramref name="change"/>, atomic write) and returns it. The id
    /// and the name cannot be changed here (see <see cref="Rename"/>).</summary>
    public ContainerRecord Update(string id, Action<ContainerRecord> change)
    {
        using var held = FileLock.OnFile(LockPath, exclusive: true);
        ContainerRecord record = ReadExisting(id);
        string name = record.Name;
        change(record);
        if (record.Id != id)
        {
            throw new EngineException($"the id of container {id} cannot be changed");
        }

        if (record.Name != name)
        {
            throw new EngineException($"the name of container {id} is changed by rename only");
        }

        WriteRecord(record);
        return record;
    }

    /// <summary>Gives container <paramref name="id"/> a new name; Docker's conflict error when it is in use.</summary>
    public ContainerRecord Rename(string id, string newName)
    {
        string name = ContainerNames.Validate(newName);
        using var held = FileLock.OnFile(LockPath, exclusive: true);
        ContainerRecord record = ReadExisting(id);
        if (record.Name == name)
        {
            throw new EngineException("Renaming a container with the same name as its current name");
        }

        SortedDictionary<string, string> names = ReadIndex();
        ThrowIfNameTaken(names, name);
        string old = record.Name;
        record.Name = name;
        if (names.TryGetValue(old, out string? owner) && owner == id)
        {
            names.Remove(old);
        }

        names[name] = id;
        WriteIndex(names);
        WriteRecord(record);
        return record;
    }

    /// <summary>Removes a container's record directory and frees its name.</summary>
    public void Remove(string id)
    {
        using var held = FileLock.OnFile(LockPath, exclusive: true);
        ContainerRecord record = ReadExisting(id);
        Directory.Delete(ContainerDir(id), recursive: true);
        SortedDictionary<string, string> names = ReadIndex();
        if (names.TryGetValue(record.Name, out string? owner) && owner == id)
        {
            names.Remove(record.Name);
            WriteIndex(names);
        }
    }

    private IEnumerable<string> Ids()
    {
        if (!Directory.Exists(ContainersDir))
        {
            return [];
        }

        return Directory.EnumerateDirectories(ContainersDir).Select(Path.GetFileName).OfType<string>()
            .Where(ContainerRecord.IsValidId).Order(StringComparer.Ordinal);
    }

    private void ThrowIfNameTaken(SortedDictionary<string, string> names, string name)
    {
        if (names.TryGetValue(name, out string? owner) && File.Exists(RecordPath(owner)))
        {
            throw new EngineException(
                $"Conflict. The container name \"/{name}\" is already in use by container \"{owner}\". "
                + "You have to remove (or rename) that container to be able to reuse that name.");
        }
    }

    private string FreeGeneratedName(SortedDictionary<string, string> names)
    {
        for (int retry = 0; retry < MaxNameRetries; retry++)
        {
            string name = ContainerNames.Generate(retry);
            if (!names.TryGetValue(name, out string? owner) || !File.Exists(RecordPath(owner)))
            {
                return name;
            }
        }

        throw new EngineException("could not find a free container name; give one with --name");
    }

    private string RecordPath(string id) => Path.Combine(ContainerDir(id), "container.json");

    private ContainerRecord ReadExisting(string id) =>
        (ContainerRecord.IsValidId(id) ? ReadRecord(id) : null) ?? throw new EngineException($"No such container: {id}");

    /// <summary>A container's record unless its making was interrupted (<see cref="CreatorProcess.Abandoned"/>).</summary>
    private ContainerRecord? ReadMade(string id) => ReadRecord(id) is { } r && !CreatorProcess.Abandoned(r) ? r : null;

    private ContainerRecord? ReadRecord(string id)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(RecordPath(id)), ContainersJson.Default.ContainerRecord);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException e)
        {
            throw new EngineException($"the record of container {id} is corrupt: {e.Message}", e);
        }
    }

    private SortedDictionary<string, string> ReadIndex()
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(IndexPath), ContainersJson.Default.SortedDictionaryStringString) ?? [];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
        catch (JsonException e)
        {
            throw new EngineException($"the container names index {IndexPath} is corrupt: {e.Message}", e);
        }
    }

    private void WriteRecord(ContainerRecord record) =>
        WriteAtomic(RecordPath(record.Id), JsonSerializer.SerializeToUtf8Bytes(record, ContainersJson.Default.ContainerRecord));

    private void WriteIndex(SortedDictionary<string, string> names) =>
        WriteAtomic(IndexPath, JsonSerializer.SerializeToUtf8Bytes(names, ContainersJson.Default.SortedDictionaryStringString));

    private static void WriteAtomic(string path, byte[] bytes)
    {
        string directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Interlocked.Increment(ref tempCounter)}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                // No fsync: a record changes several times in every run, and an fsync costs 10-25 ms here. A rename
                // replaces the old record whole (readers never see a partial one), and ext4 flushes the data of a
                // file renamed over another before the rename commits (auto_da_alloc); what a record says of a
                // running container is checked against the kernel by the reconciler anyway.
                fs.Write(bytes);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
