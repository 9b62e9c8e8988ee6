using MyRuntime.Linux;

namespace MyRuntime.Tests;

public class SignalsTests
{
    [Theory]
    [InlineData("KILL", 9)]
    [InlineData("SIGKILL", 9)]
    [InlineData("kill", 9)]
    [InlineData("sigkill", 9)]
    [InlineData("9", 9)]
    [InlineData(" TERM ", 15)]
    [InlineData("HUP", 1)]
    [InlineData("USR1", 10)]
    [InlineData("SIGUSR2", 12)]
    [InlineData("CHLD", 17)]
    [InlineData("WINCH", 28)]
    [InlineData("SYS", 31)]
    public void Parse_AcceptsNamesWithOrWithoutSigPrefixInAnyCaseAndNumbers(string text, int expected)
    {
        Assert.Equal(expected, Signals.Parse(text));
    }

    [Theory]
    [InlineData("IOT", 6)]
    [InlineData("SIGCLD", 17)]
    [InlineData("POLL", 29)]
    public void Parse_AcceptsAliases(string text, int expected)
    {
        Assert.Equal(expected, Signals.Parse(text));
    }

    [Theory]
    [InlineData("RTMIN", 34)]
    [InlineData("SIGRTMIN", 34)]
    [InlineData("SIGRTMIN+3", 37)]
    [InlineData("rtmin+3", 37)]
    [InlineData("RTMIN+30", 64)]
    [InlineData("RTMAX", 64)]
    [InlineData("RTMAX-1", 63)]
    [InlineData("SIGRTMAX-30", 34)]
    [InlineData("34", 34)]
    [InlineData("64", 64)]
    public void Parse_AcceptsRealtimeSignals(string text, int expected)
    {
        Assert.Equal(expected, Signals.Parse(text));
    }

    [Theory]
    [InlineData("SIGFOO")]
    [InlineData("FOO")]
    [InlineData("0")]
    [InlineData("-9")]
    [InlineData("65")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("SIG")]
    [InlineData("RTMIN+31")]
    [InlineData("RTMAX-31")]
    [InlineData("RTMIN+x")]
    [InlineData("KILL9")]
    public void Parse_ReturnsNullForWhatNamesNoSignal(string text)
    {
        Assert.Null(Signals.Parse(text));
    }

    [Theory]
    [InlineData("RTMAX--1")]
    [InlineData("RTMIN+-1")]
    public void Parse_RejectsNegativeRealtimeOffsets(string text)
    {
        Assert.Null(Signals.Parse(text));
    }

    [Fact]
    public void Constants_MatchTheNamesTheyParseFrom()
    {
        Assert.Equal(Signals.SIGHUP, Signals.Parse("HUP"));
        Assert.Equal(Signals.SIGINT, Signals.Parse("INT"));
        Assert.Equal(Signals.SIGQUIT, Signals.Parse("QUIT"));
        Assert.Equal(Signals.SIGKILL, Signals.Parse("KILL"));
        Assert.Equal(Signals.SIGTERM, Signals.Parse("TERM"));
        Assert.Equal(Signals.SIGCHLD, Signals.Parse("CHLD"));
        Assert.Equal(Signals.SIGCONT, Signals.Parse("CONT"));
        Assert.Equal(Signals.SIGSTOP, Signals.Parse("STOP"));
        Assert.Equal(Signals.SIGWINCH, Signals.Parse("WINCH"));
    }
}
