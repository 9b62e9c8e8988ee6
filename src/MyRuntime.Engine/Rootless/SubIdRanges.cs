using System.Globalization;

namespace MyRuntime.Engine.Rootless;

/// <summary>A user's subordinate id ranges from /etc/subuid or /etc/subgid (lines <c>NAME-or-ID:START:COUNT</c>).</summary>
public static class SubIdRanges
{
    /// <summary>The ranges of the user (by name or numeric id) in the file, in file order; empty when none.</summary>
    public static List<(uint Start, uint Count)> Of(string file, string user, uint id)
    {
        var ranges = new List<(uint, uint)>();
        string[] lines;
        try
        {
            lines = File.ReadAllLines(file);
        }
        catch (FileNotFoundException)
        {
            return ranges;
        }

        return Parse(lines, user, id);
    }

    public static List<(uint Start, uint Count)> Parse(IEnumerable<string> lines, string user, uint id)
    {
        var ranges = new List<(uint, uint)>();
        string numeric = id.ToString(CultureInfo.InvariantCulture);
        foreach (string line in lines)
        {
            string[] f = line.Trim().Split(':');
            if (f.Length != 3 || (f[0] != user && f[0] != numeric))
            {
                continue;
            }

            if (uint.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint start)
                && uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint count) && count > 0)
            {
                ranges.Add((start, count));
            }
        }

        return ranges;
    }
}
