namespace MyRuntime.Cli;

/// <summary>Rows printed in aligned columns, as tabwriter does for runc.</summary>
public static class Table
{
    public static void Write(List<string[]> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        int columns = rows[0].Length;
        int[] widths = new int[columns];
        foreach (var row in rows)
        {
            for (int i = 0; i < columns; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in rows)
        {
            var cells = row.Select((c, i) => i == columns - 1 ? c : c.PadRight(widths[i] + 3));
            Console.Out.WriteLine(string.Concat(cells).TrimEnd());
        }
    }
}
