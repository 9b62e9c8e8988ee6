using System.Buffers;
using MyRuntime.Linux;

namespace MyRuntime.Engine.Logs;

/// <summary>Writes a container's output to a log file in Docker's json-file format: one JSON object per line
/// with the text, the stream and the UTC time. Output is cut at newlines; an unfinished line waits in a
/// per-stream buffer for its newline, and goes out on its own once it is longer than <see cref="MaxLine"/>
/// bytes, or on <see cref="Flush"/> and <see cref="Dispose"/> (as Docker does). Every entry is one write(2) to
/// a file opened O_APPEND and created 0640.
/// <para>Rotation: when an entry would take the file past maxSize bytes (0: no limit), path.N-1 is dropped,
/// path.i becomes path.i+1 and path becomes path.1, then a new path is started; with maxFiles 1 the file is
/// removed and started over. A reader following the file keeps reading the old one through its open handle.</para>
/// <para>Thread-safe: stdout and stderr are written from their own threads. Failures are
/// <see cref="EngineException"/>s.</para></summary>
public sealed class JsonLogWriter : IDisposable
{
    /// <summary>Longest unfinished line kept waiting for its newline (Docker's 16 KiB).</summary>
    public const int MaxLine = 16 * 1024;

    private readonly object _lock = new();
    private readonly string _path;
    private readonly long _maxSize;
    private readonly int _maxFiles;
    private readonly TimeProvider _time;
    private readonly PendingLine _stdout = new("stdout");
    private readonly PendingLine _stderr = new("stderr");
    private readonly ArrayBufferWriter<byte> _entry = new(1024);
    private int _fd = -1;
    private long _size;
    private bool _disposed;

    public JsonLogWriter(string path, long maxSize, int maxFiles)
        : this(path, maxSize, maxFiles, TimeProvider.System)
    {
    }

    /// <summary>A writer with the sizes of parsed <c>--log-opt</c> values.</summary>
    public JsonLogWriter(string path, LogOptions options)
        : this(path, options.MaxSize, options.MaxFiles, TimeProvider.System)
    {
    }

    /// <summary>As the other constructors, with the clock that stamps entries.</summary>
    public JsonLogWriter(string path, long maxSize, int maxFiles, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFiles, 1);
        _path = path;
        _maxSize = maxSize;
        _maxFiles = maxFiles;
        _time = time;
        Open();
    }

    /// <summary>Logs a chunk of a stream ("stdout" or "stderr").</summary>
    public void Write(string stream, ReadOnlySpan<byte> chunk)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            PendingLine pending = stream switch
            {
                "stdout" => _stdout,
                "stderr" => _stderr,
                _ => throw new ArgumentException($"unknown log stream '{stream}'", nameof(stream)),
            };
            while (!chunk.IsEmpty)
            {
                int newline = chunk.IndexOf((byte)'\n');
                ReadOnlySpan<byte> part = newline < 0 ? chunk : chunk[..(newline + 1)];
                chunk = chunk[part.Length..];
                if (newline >= 0 && pending.Length == 0 && part.Length <= MaxLine + 1)
                {
                    WriteEntry(pending.Stream, part);
                    continue;
                }

                // Fill the buffer at most one byte past MaxLine, then send MaxLine bytes (cut at a character
                // boundary) as an entry of their own.
                ReadOnlySpan<byte> text = newline < 0 ? part : part[..^1];
                while (true)
                {
                    int take = Math.Min(text.Length, MaxLine + 1 - pending.Length);
                    pending.Append(text[..take]);
                    text = text[take..];
                    if (pending.Length <= MaxLine)
                    {
                        break;
                    }

                    int cut = pending.CutBefore(MaxLine);
                    WriteEntry(pending.Stream, pending.Bytes[..cut]);
                    pending.RemoveFirst(cut);
                }

                if (newline >= 0)
                {
                    pending.Append("\n"u8);
                    WriteEntry(pending.Stream, pending.Bytes);
                    pending.Clear();
                }
            }
        }
    }

    /// <summary>Writes out the unfinished lines of both streams as they are.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            FlushPending();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                FlushPending();
            }
            finally
            {
                _disposed = true;
                Files.Close(_fd);
                _fd = -1;
            }
        }
    }

    private void FlushPending()
    {
        foreach (PendingLine pending in (ReadOnlySpan<PendingLine>)[_stdout, _stderr])
        {
            if (pending.Length > 0)
            {
                WriteEntry(pending.Stream, pending.Bytes);
                pending.Clear();
            }
        }
    }

    private void WriteEntry(string stream, ReadOnlySpan<byte> payload)
    {
        _entry.ResetWrittenCount();
        JsonLogLine.Write(_entry, stream, payload, _time.GetUtcNow().UtcDateTime);
        if (_maxSize > 0 && _size > 0 && _size + _entry.WrittenCount > _maxSize)
        {
            Rotate();
        }

        try
        {
            Files.WriteAll(_fd, _entry.WrittenSpan);
        }
        catch (LinuxException e)
        {
            throw new EngineException($"cannot write log file {_path}: {e.Message}", e);
        }

        _size += _entry.WrittenCount;
    }

    private void Rotate()
    {
        Files.Close(_fd);
        _fd = -1;
        try
        {
            if (_maxFiles == 1)
            {
                File.Delete(_path);
            }
            else
            {
                File.Delete($"{_path}.{_maxFiles - 1}");
                for (int i = _maxFiles - 2; i >= 1; i--)
                {
                    if (File.Exists($"{_path}.{i}"))
                    {
                        File.Move($"{_path}.{i}", $"{_path}.{i + 1}", overwrite: true);
                    }
                }

                File.Move(_path, $"{_path}.1", overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Logging goes on in whatever file now has the name; this entry is reported lost.
            Open();
            throw new EngineException($"cannot rotate log file {_path}: {e.Message}", e);
        }

        Open();
    }

    private void Open()
    {
        try
        {
            _fd = Files.Open(_path, Files.O_WRONLY | Files.O_CREAT | Files.O_APPEND, 0b110_100_000);
            _size = (long)(FileMetadata.TryLstatAt(_fd, "")?.Size ?? 0);
        }
        catch (LinuxException e)
        {
            Files.Close(_fd);
            _fd = -1;
            throw new EngineException($"cannot open log file {_path}: {e.Message}", e);
        }
    }
}
