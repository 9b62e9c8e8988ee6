using MyRuntime.Engine.Stats;

namespace MyRuntime.Tests.Engine.Stats;

public class StatsTableTests
{
    [Fact]
    public void Format_LaysOutDockersColumns()
    {
        var figures = new StatsFigures(12.3456, 1293942, 8160437862, 0.0158, 1200, 0, 0, 45600000, 7);
        string id = new('a', 64);

        string table = StatsTable.Format([new StatsRow(id, "/web", figures), new StatsRow("b1", "db", null)]);

        string[] lines = table.Split('\n');
        Assert.Equal(
            "CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O      BLOCK I/O     PIDS",
            lines[0]);
        Assert.Equal(
            "aaaaaaaaaaaa   web       12.35%    1.234MiB / 7.6GiB   0.02%     1.2kB / 0B   0B / 45.6MB   7",
            lines[1]);
        Assert.Equal(
            "b1             db        --        -- / --             --        -- / --      -- / --       --",
            lines[2]);
        Assert.Equal(string.Empty, lines[3]);
    }

    [Fact]
    public void TabTable_PadsToTheWidestCellPlusPaddingAtLeastMinWidth()
    {
        string t = TabTable.Format([["a", "bb", "last"], ["ccccc", "d", "x"]], 4, 2);

        Assert.Equal("a      bb  last\nccccc  d   x\n", t);
    }
}
