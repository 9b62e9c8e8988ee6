using System.Text;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Container;

/// <summary>Writes a process's uid_map and gid_map from the spec's mappings.</summary>
public static class IdMaps
{
    public static void Write(int pid, IReadOnlyList<IdMapping>? uids, IReadOnlyList<IdMapping>? gids)
    {
        WriteOne($"/proc/{pid}/uid_map", uids);
        WriteOne($"/proc/{pid}/gid_map", gids);
    }

    private static void WriteOne(string path, IReadOnlyList<IdMapping>? maps)
    {
        if (maps is null || maps.Count == 0)
        {
            return;
        }

        var sb = new StringBuilder();
        foreach (var m in maps)
        {
            sb.Append(m.ContainerId).Append(' ').Append(m.HostId).Append(' ').Append(m.Size).Append('\n');
        }

        try
        {
            File.WriteAllText(path, sb.ToString());
        }
        catch (IOException e)
        {
            throw new RuntimeException($"write {path}: {e.Message}");
        }
    }

    /// <summary>The host uid that a container uid maps to (the uid itself without mappings).</summary>
    public static uint ToHost(uint id, IReadOnlyList<IdMapping>? maps)
    {
        foreach (var m in maps ?? [])
        {
            if (id >= m.ContainerId && id - m.ContainerId < m.Size)
            {
                return m.HostId + (id - m.ContainerId);
            }
        }

        return id;
    }
}
