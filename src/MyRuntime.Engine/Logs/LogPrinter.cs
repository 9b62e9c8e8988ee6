namespace MyRuntime.Engine.Logs;

/// <summary>Prints log lines that pass the time filters to the output of their stream, optionally after their
/// time. Lines that are not complete entries are skipped.</summary>
internal sealed class LogPrinter(LogReadOptions options, Stream stdout, Stream stderr)
{
    private byte[] _payload = new byte[JsonLogWriter.MaxLine + 64];

    /// <summary>Set once an entry later than <see cref="LogReadOptions.Until"/> was seen: entries are in time
    /// order, so nothing after it is printed.</summary>
    public bool PastUntil { get; private set; }

    /// <summary>Prints the complete lines the cursor has now.</summary>
    public void Drain(LogFileCursor cursor, CancellationToken ct)
    {
        while (!PastUntil && !ct.IsCancellationRequested && cursor.TryReadLine(out ReadOnlySpan<byte> line))
        {
            Print(line);
        }
    }

    public void Print(ReadOnlySpan<byte> line)
    {
        if (!JsonLogLine.TryParse(line, ref _payload, out int length, out bool isStderr, out DateTimeOffset time) ||
            (options.Since is { } since && time < since))
        {
            return;
        }

        if (options.Until is { } until && time > until)
        {
            PastUntil = true;
            return;
        }

        Stream output = isStderr ? stderr : stdout;
        if (options.Timestamps)
        {
            Span<char> text = stackalloc char[LogTime.Length];
            LogTime.Format(time.UtcDateTime, text);
            Span<byte> prefix = stackalloc byte[LogTime.Length + 1];
            for (int i = 0; i < text.Length; i++)
            {
                prefix[i] = (byte)text[i];
            }

            prefix[^1] = (byte)' ';
            output.Write(prefix);
        }

        output.Write(_payload, 0, length);
    }

    public void Flush()
    {
        stdout.Flush();
        stderr.Flush();
    }
}
