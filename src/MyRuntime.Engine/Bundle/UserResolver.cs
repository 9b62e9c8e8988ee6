using System.Globalization;

namespace MyRuntime.Engine.Bundle;

/// <summary>The process user that -u or the image's User names, looked up in the rootfs's /etc/passwd and
/// /etc/group as Docker does.</summary>
public sealed record ResolvedUser(uint Uid, uint Gid, IReadOnlyList<uint> AdditionalGids, string? Username);

/// <summary>Resolves <c>user</c>, <c>uid</c>, <c>user:group</c> and <c>uid:gid</c> (empty is root) against the
/// passwd and group files of a rootfs: a name gives its uid and primary gid, a user without a group also gets the
/// groups that list it as a member; numeric ids need no entry; unknown names are an error.</summary>
public static class UserResolver
{
    /// <summary>Reads <c>ROOTFS/etc/passwd</c> and <c>ROOTFS/etc/group</c> (missing files are empty). The caller
    /// guarantees the rootfs (an image snapshot), so the paths are read as they are.</summary>
    public static ResolvedUser Resolve(string? spec, string rootfs) =>
        Resolve(spec, ReadOrEmpty(Path.Combine(rootfs, "etc/passwd")), ReadOrEmpty(Path.Combine(rootfs, "etc/group")));

    /// <summary>Resolves against the texts of a passwd and a group file.</summary>
    public static ResolvedUser Resolve(string? spec, string passwd, string group)
    {
        string text = string.IsNullOrEmpty(spec) ? "0" : spec;
        int colon = text.IndexOf(':');
        string userPart = colon < 0 ? text : text[..colon];
        string? groupPart = colon < 0 ? null : text[(colon + 1)..];
        if (userPart.Length == 0 || groupPart is { Length: 0 } || (groupPart?.Contains(':') ?? false))
        {
            throw new EngineException($"invalid user '{spec}': expected user, uid, user:group or uid:gid");
        }

        var users = ParseFile(passwd, 7);
        var groups = ParseFile(group, 4);

        uint uid;
        uint gid = 0;
        string? username = null;
        if (TryParseId(userPart, out uid))
        {
            var entry = users.FirstOrDefault(u => TryParseId(u[2], out uint id) && id == uid);
            if (entry is not null)
            {
                username = entry[0];
                TryParseId(entry[3], out gid);
            }
        }
        else
        {
            var entry = users.FirstOrDefault(u => u[0] == userPart)
                ?? throw new EngineException($"unable to find user {userPart}: no matching entries in the image's /etc/passwd");
            if (!TryParseId(entry[2], out uid) || !TryParseId(entry[3], out gid))
            {
                throw new EngineException($"unable to find user {userPart}: its /etc/passwd entry has bad ids");
            }

            username = userPart;
        }

        var additional = new List<uint>();
        if (groupPart is not null)
        {
            if (!TryParseId(groupPart, out gid))
            {
                var entry = groups.FirstOrDefault(g => g[0] == groupPart)
                    ?? throw new EngineException($"unable to find group {groupPart}: no matching entries in the image's /etc/group");
                if (!TryParseId(entry[2], out gid))
                {
                    throw new EngineException($"unable to find group {groupPart}: its /etc/group entry has a bad id");
                }
            }
        }
        else if (username is not null)
        {
            foreach (var g in groups)
            {
                if (g[3].Split(',', StringSplitOptions.TrimEntries).Contains(username) &&
                    TryParseId(g[2], out uint id) && id != gid && !additional.Contains(id))
                {
                    additional.Add(id);
                }
            }
        }

        return new ResolvedUser(uid, gid, additional, username);
    }

    private static bool TryParseId(string s, out uint id) =>
        uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id <= int.MaxValue;

    /// <summary>The colon-separated entries of a passwd or group file, padded to <paramref name="fields"/> fields.</summary>
    private static List<string[]> ParseFile(string text, int fields)
    {
        var entries = new List<string[]>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            string[] parts = line.Split(':');
            if (parts.Length < fields)
            {
                Array.Resize(ref parts, fields);
                for (int i = 0; i < fields; i++)
                {
                    parts[i] ??= string.Empty;
                }
            }

            entries.Add(parts);
        }

        return entries;
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return string.Empty;
        }
        catch (DirectoryNotFoundException)
        {
            return string.Empty;
        }
    }
}
