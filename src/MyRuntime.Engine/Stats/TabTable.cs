using System.Text;

namespace MyRuntime.Engine.Stats;

/// <summary>Aligned columns as Go's text/tabwriter lays them out for the Docker CLI: every column but the last is
/// as wide as its widest cell plus the padding, and at least minWidth; the last column is not padded.</summary>
public static class TabTable
{
    public static string Format(IReadOnlyList<IReadOnlyList<string>> rows, int minWidth, int padding)
    {
        int columns = rows.Count == 0 ? 0 : rows.Max(r => r.Count);
        int[] widths = new int[columns];
        foreach (var row in rows)
        {
            for (int j = 0; j < row.Count - 1; j++)
            {
                widths[j] = Math.Max(widths[j], Math.Max(minWidth, row[j].Length + padding));
            }
        }

        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            for (int j = 0; j < row.Count; j++)
            {
                sb.Append(j < row.Count - 1 ? row[j].PadRight(widths[j]) : row[j]);
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
