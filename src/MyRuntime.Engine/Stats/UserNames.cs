using System.Globalization;

namespace MyRuntime.Engine.Stats;

/// <summary>User names by uid from a passwd file.</summary>
public static class UserNames
{
    /// <summary>The host's /etc/passwd; empty when it cannot be read.</summary>
    public static Dictionary<uint, string> Host()
    {
        try
        {
            return Parse(File.ReadAllText("/etc/passwd"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>name:password:uid:...; the first name of a uid wins, malformed lines are skipped.</summary>
    public static Dictionary<uint, string> Parse(string passwd)
    {
        var names = new Dictionary<uint, string>();
        foreach (string line in passwd.Split('\n'))
        {
            string[] f = line.Split(':');
            if (f.Length >= 3 && f[0].Length > 0 && uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid))
            {
                names.TryAdd(uid, f[0]);
            }
        }

        return names;
    }
}
