namespace MyRuntime.Linux;

/// <summary>Signal names and numbers as kill(1) and runc accept them: "KILL", "SIGKILL", "9", "RTMIN+3".</summary>
public static class Signals
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGKILL = 9;
    public const int SIGUSR1 = 10;
    public const int SIGUSR2 = 12;
    public const int SIGTERM = 15;
    public const int SIGCHLD = 17;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;
    public const int SIGWINCH = 28;

    private static readonly string[] Names =
    [
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM",
        "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF",
        "WINCH", "IO", "PWR", "SYS",
    ];

    private const int RtMin = 34;
    private const int RtMax = 64;

    /// <summary>Parses a signal; null when it names no signal.</summary>
    public static int? Parse(string text)
    {
        string s = text.Trim().ToUpperInvariant();
        if (int.TryParse(s, out int n))
        {
            return n > 0 && n <= RtMax ? n : null;
        }

        if (s.StartsWith("SIG", StringComparison.Ordinal))
        {
            s = s[3..];
        }

        int i = Array.IndexOf(Names, s);
        if (i > 0)
        {
            return i;
        }

        if (s is "IOT")
        {
            return 6;
        }

        if (s is "CLD")
        {
            return 17;
        }

        if (s is "POLL")
        {
            return 29;
        }

        return ParseRealtime(s);
    }

    private static int? ParseRealtime(string s)
    {
        if (s == "RTMIN")
        {
            return RtMin;
        }

        if (s == "RTMAX")
        {
            return RtMax;
        }

        var digits = System.Globalization.NumberStyles.None;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (s.StartsWith("RTMIN+", StringComparison.Ordinal) && int.TryParse(s[6..], digits, inv, out int plus) && RtMin + plus <= RtMax)
        {
            return RtMin + plus;
        }

        if (s.StartsWith("RTMAX-", StringComparison.Ordinal) && int.TryParse(s[6..], digits, inv, out int minus) && RtMax - minus >= RtMin)
        {
            return RtMax - minus;
        }

        return null;
    }
}
