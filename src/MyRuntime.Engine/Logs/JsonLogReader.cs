using System.Globalization;
using MyRuntime.Linux;

namespace MyRuntime.Engine.Logs;

/// <summary>Reads a json-file log written by <see cref="JsonLogWriter"/> (or by Docker): the rotated files
/// oldest first, then the current one, each entry's text to the output of its stream.</summary>
public static class JsonLogReader
{
    private const int FollowPollMilliseconds = 100;

    /// <summary>Prints the log at <paramref name="path"/>. Lines that are not complete entries (a writer killed
    /// mid-line) are skipped. With <see cref="LogReadOptions.Follow"/> it then prints entries as they are
    /// written, following the file through rotations, until <paramref name="isRunning"/> says the writer is
    /// gone (it must turn false only after the last entry is written; what was written before is still
    /// printed), an entry later than Until shows up or Until has passed, or <paramref name="ct"/> is cancelled.
    /// A follower that falls more than one rotation behind loses the files it missed.</summary>
    public static void Print(string path, LogReadOptions options, Stream stdout, Stream stderr, Func<bool> isRunning, CancellationToken ct)
    {
        var printer = new LogPrinter(options, stdout, stderr);
        List<string> files = LogFiles.List(path);
        (int first, long offset) = options.Tail is >= 0 and int tail ? LogFiles.TailStart(files, tail) : (0, 0);
        bool hasCurrent = files.Count > 0 && files[^1] == path;
        int rotated = hasCurrent ? files.Count - 1 : files.Count;
        for (int i = first; i < rotated && !printer.PastUntil; i++)
        {
            using LogFileCursor? old = LogFileCursor.TryOpen(files[i], i == first ? offset : 0);
            if (old != null)
            {
                printer.Drain(old, ct);
            }
        }

        LogFileCursor? cursor = hasCurrent ? LogFileCursor.TryOpen(path, first == files.Count - 1 ? offset : 0) : null;
        try
        {
            while (true)
            {
                // Asked before reading, so that everything written before the writer stopped gets printed.
                bool running = options.Follow && isRunning();
                DrainCurrent(path, ref cursor, printer, options.Follow, ct);
                printer.Flush();
                if (!running || printer.PastUntil || ct.IsCancellationRequested ||
                    (options.Until is { } until && DateTimeOffset.UtcNow > until))
                {
                    return;
                }

                ct.WaitHandle.WaitOne(FollowPollMilliseconds);
            }
        }
        finally
        {
            cursor?.Dispose();
        }
    }

    /// <summary>Prints what the current file has; when following and the path now names another file (the writer
    /// rotated), finishes the old one and goes on with the new one.</summary>
    private static void DrainCurrent(string path, ref LogFileCursor? cursor, LogPrinter printer, bool follow, CancellationToken ct)
    {
        while (true)
        {
            if (cursor != null)
            {
                printer.Drain(cursor, ct);
            }

            if (!follow || printer.PastUntil || ct.IsCancellationRequested)
            {
                return;
            }

            FileStatus? now = FileMetadata.TryLstat(path);
            if (cursor != null && now is { } status && cursor.IsSameFile(status))
            {
                return;
            }

            if (cursor != null)
            {
                // The writer closes a file before renaming it: what it wrote since the drain above is all there is.
                printer.Drain(cursor, ct);
                cursor.Dispose();
                cursor = null;
            }

            if (now == null || (cursor = LogFileCursor.TryOpen(path, 0)) == null)
            {
                return;
            }
        }
    }

    /// <summary>Parses <c>--since</c> and <c>--until</c> as Docker does: an RFC 3339 time with or without
    /// fraction, seconds or zone, or a date alone (without a zone, in <paramref name="now"/>'s offset); Unix
    /// seconds with an optional fraction ("1700000000.5"); or a Go duration before <paramref name="now"/>
    /// ("10m", "1h30m", "1.5h").</summary>
    public static DateTimeOffset ParseSince(string text, DateTimeOffset now, string flag = "--since")
    {
        string s = text.Trim();
        try
        {
            if (s != "0" && GoDuration.TryParse(s, out TimeSpan ago))
            {
                return now - ago;
            }
        }
        catch (ArgumentOutOfRangeException)
        {
            throw Invalid(text, flag);
        }

        if (s.Contains('-'))
        {
            return LogTime.TryParse(s, now.Offset, out DateTimeOffset time) ? time : throw Invalid(text, flag);
        }

        return TryParseUnix(s, out DateTimeOffset unix) ? unix : throw Invalid(text, flag);
    }

    private static bool TryParseUnix(string s, out DateTimeOffset time)
    {
        time = default;
        int dot = s.IndexOf('.');
        ReadOnlySpan<char> seconds = dot < 0 ? s : s.AsSpan(0, dot);
        ReadOnlySpan<char> fraction = dot < 0 ? default : s.AsSpan(dot + 1);
        if (seconds.IsEmpty || seconds.ContainsAnyExcept("0123456789") || (dot >= 0 && (fraction.Length is 0 or > 9 ||
            fraction.ContainsAnyExcept("0123456789"))) ||
            !long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out long whole))
        {
            return false;
        }

        long ticks = 0;
        for (int i = 0; i < 7; i++)
        {
            ticks = (ticks * 10) + (i < fraction.Length ? fraction[i] - '0' : 0);
        }

        try
        {
            time = DateTimeOffset.FromUnixTimeSeconds(whole).AddTicks(ticks);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static EngineException Invalid(string text, string flag) =>
        new($"invalid {flag} '{text}': expected an RFC 3339 time (2024-01-02T15:04:05Z), Unix seconds or a duration (10m, 1h30m)");
}
