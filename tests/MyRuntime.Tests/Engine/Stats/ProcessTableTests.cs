using MyRuntime.Engine.Stats;

namespace MyRuntime.Tests.Engine.Stats;

public class ProcessTableTests
{
    private const string StatLine =
        "4242 (my (odd) prog) S 4200 4242 4242 34816 4242 4194304 100 0 0 0 250 125 0 0 20 0 1 0 9000 1000000 200 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

    [Fact]
    public void ProcStat_ParsesCommWithSpacesAndParentheses()
    {
        var s = ProcStat.Parse(StatLine)!;

        Assert.Equal(4242, s.Pid);
        Assert.Equal("my (odd) prog", s.Comm);
        Assert.Equal('S', s.State);
        Assert.Equal(4200, s.Ppid);
        Assert.Equal(34816, s.TtyNr);
        Assert.Equal(250UL, s.Utime);
        Assert.Equal(125UL, s.Stime);
        Assert.Equal(9000UL, s.StartTime);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12 comm S 1")]
    [InlineData("x (a) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20")]
    [InlineData("12 (a) S 1 2 3")]
    public void ProcStat_Malformed_IsNull(string line) => Assert.Null(ProcStat.Parse(line));

    [Fact]
    public void EffectiveUid_IsTheSecondUidField() =>
        Assert.Equal(1000u, ProcStat.EffectiveUid("Name:\tx\nUid:\t0\t1000\t0\t1000\nGid:\t0\t0\t0\t0\n"));

    [Fact]
    public void Row_FormatsLikePsEf()
    {
        var stat = ProcStat.Parse(StatLine)!;
        var now = new DateTimeOffset(2024, 12, 2, 15, 30, 0, TimeSpan.Zero);
        long boot = now.ToUnixTimeSeconds() - 3600; // booted an hour ago; the process started 90 s after boot
        var clock = new ProcessClock(now, boot, 3600);
        var users = UserNames.Parse("root:x:0:0:root:/root:/bin/sh\nwww:x:4200:4200::/:/bin/false\n");

        var row = ProcessTable.Row(stat, 4200, "my\0--flag\0value\0", clock, users);

        // C: 3.75 s of cpu over 3510 s = 0 %; started 14:31:30; tty 136:0 is pts/0.
        Assert.Equal(["www", "4242", "4200", "0", "14:31", "pts/0", "00:00:03", "my --flag value"], row);
        Assert.Equal("1234", ProcessTable.Row(stat, 1234, "x\0", clock, users)[0]);
    }

    [Fact]
    public void Columns_CpuStartTtyTimeCommand()
    {
        Assert.Equal(50, ProcessTable.CpuColumn(500, 0, 10));
        Assert.Equal(99, ProcessTable.CpuColumn(100_000, 0, 10));
        Assert.Equal(0, ProcessTable.CpuColumn(100, 1000, 10.5));

        var now = new DateTimeOffset(2024, 12, 2, 15, 30, 0, TimeSpan.Zero);
        Assert.Equal("09:05", ProcessTable.StartColumn(new DateTimeOffset(2024, 12, 2, 9, 5, 0, TimeSpan.Zero).ToUnixTimeSeconds(), now));
        Assert.Equal("Nov28", ProcessTable.StartColumn(new DateTimeOffset(2024, 11, 28, 9, 5, 0, TimeSpan.Zero).ToUnixTimeSeconds(), now));
        Assert.Equal("2023", ProcessTable.StartColumn(new DateTimeOffset(2023, 12, 31, 23, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), now));

        Assert.Equal("?", ProcessTable.Tty(0));
        Assert.Equal("pts/3", ProcessTable.Tty((136 << 8) | 3));
        Assert.Equal("pts/300", ProcessTable.Tty((137 << 8) | 44));
        Assert.Equal("tty1", ProcessTable.Tty((4 << 8) | 1));
        Assert.Equal("ttyS0", ProcessTable.Tty((4 << 8) | 64));

        Assert.Equal("00:00:00", ProcessTable.CpuTime(0));
        Assert.Equal("01:01:01", ProcessTable.CpuTime(3661));
        Assert.Equal("2-00:00:05", ProcessTable.CpuTime((2 * 86400) + 5));

        var zombie = ProcStat.Parse(StatLine.Replace(") S ", ") Z ", StringComparison.Ordinal))!;
        Assert.Equal("[my (odd) prog] <defunct>", ProcessTable.Command(zombie, string.Empty));
        Assert.Equal("[my (odd) prog]", ProcessTable.Command(ProcStat.Parse(StatLine)!, string.Empty));
    }

    [Fact]
    public void Format_UsesDockerTopsLayout()
    {
        var list = new ProcessList(ProcessTable.Titles, [["root", "1", "0", "0", "10:00", "?", "00:00:00", "sleep 100"]]);

        string[] lines = ProcessTable.Format(list).Split('\n');

        Assert.Equal("UID".PadRight(20) + "PID".PadRight(20) + "PPID".PadRight(20) + "C".PadRight(20) + "STIME".PadRight(20) + "TTY".PadRight(20) + "TIME".PadRight(20) + "CMD", lines[0]);
        Assert.Equal("root".PadRight(20) + "1".PadRight(20) + "0".PadRight(20) + "0".PadRight(20) + "10:00".PadRight(20) + "?".PadRight(20) + "00:00:00".PadRight(20) + "sleep 100", lines[1]);
    }

    [Fact]
    public void List_ShowsThisProcessAndSkipsMissingPids()
    {
        int self = Environment.ProcessId;

        var list = ProcessTable.List([self, int.MaxValue]);

        var row = Assert.Single(list.Processes);
        Assert.Equal(self.ToString(System.Globalization.CultureInfo.InvariantCulture), row[1]);
        Assert.Equal(File.ReadAllText("/proc/self/cmdline").TrimEnd('\0').Replace('\0', ' '), row[7]);
        Assert.Equal(Environment.UserName == "root" ? "root" : row[0], row[0]);
    }
}
