namespace MyRuntime.Engine.Logs;

/// <summary>The unfinished line of one stream, waiting for its newline (at most
/// <see cref="JsonLogWriter.MaxLine"/> + 1 bytes and a newline).</summary>
internal sealed class PendingLine(string stream)
{
    private readonly byte[] _buffer = new byte[JsonLogWriter.MaxLine + 2];

    public string Stream { get; } = stream;

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, Length);

    public void Append(ReadOnlySpan<byte> data)
    {
        data.CopyTo(_buffer.AsSpan(Length));
        Length += data.Length;
    }

    public void RemoveFirst(int count)
    {
        _buffer.AsSpan(count, Length - count).CopyTo(_buffer);
        Length -= count;
    }

    public void Clear() => Length = 0;

    /// <summary>Where to cut at most <paramref name="max"/> bytes off the front without splitting a UTF-8
    /// character: <paramref name="max"/>, or up to three bytes less when a character starts there.</summary>
    public int CutBefore(int max)
    {
        for (int p = max; p > 0 && p > max - 4; p--)
        {
            if ((_buffer[p] & 0xC0) != 0x80)
            {
                return p;
            }
        }

        return max;
    }
}
