using System.Globalization;

namespace MyRuntime.Engine.Stats;

/// <summary>One container's line of `stats`: null figures (a container that is not running) print as "--".</summary>
public sealed record StatsRow(string Id, string Name, StatsFigures? Figures);

/// <summary>The `docker stats` table: the default columns, Docker's units and its tabwriter layout.</summary>
public static class StatsTable
{
    public static readonly IReadOnlyList<string> Header =
        ["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"];

    /// <summary>The table, header first, each line ending in a newline.</summary>
    public static string Format(IEnumerable<StatsRow> rows)
    {
        var lines = new List<IReadOnlyList<string>> { Header };
        lines.AddRange(rows.Select(Cells));
        return TabTable.Format(lines, 10, 3);
    }

    /// <summary>The cells of one row: the id cut to 12 characters, the name without a leading '/'.</summary>
    public static IReadOnlyList<string> Cells(StatsRow row)
    {
        string id = row.Id.Length > 12 ? row.Id[..12] : row.Id;
        string name = row.Name.TrimStart('/');
        if (row.Figures is not { } f)
        {
            return [id, name, "--", "-- / --", "--", "-- / --", "-- / --", "--"];
        }

        return
        [
            id,
            name,
            Percent(f.CpuPercent),
            $"{HumanUnits.BytesSize(f.MemoryUsage)} / {HumanUnits.BytesSize(f.MemoryLimit)}",
            Percent(f.MemoryPercent),
            $"{HumanUnits.HumanSize(f.NetRx)} / {HumanUnits.HumanSize(f.NetTx)}",
            $"{HumanUnits.HumanSize(f.BlockRead)} / {HumanUnits.HumanSize(f.BlockWrite)}",
            f.Pids.ToString(CultureInfo.InvariantCulture),
        ];
    }

    private static string Percent(double value) => value.ToString("F2", CultureInfo.InvariantCulture) + "%";
}
