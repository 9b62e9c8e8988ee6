using MyRuntime.Linux;

namespace MyRuntime.Engine.Logs;

/// <summary>Reads the complete lines of one log file from an offset on. A last line without its newline is kept
/// until the rest arrives, so a file being written can be read again after more is appended.</summary>
internal sealed class LogFileCursor : IDisposable
{
    private readonly FileStream _file;
    private readonly FileStatus _status;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _skipping;

    /// <summary>Longest line kept (an entry holds at most 16 KiB of text, escaped up to six times that); a
    /// longer run without a newline is garbage and skipped up to the next newline.</summary>
    public const int MaxLineBytes = 1024 * 1024;

    private LogFileCursor(FileStream file)
    {
        _file = file;
        _status = FileMetadata.TryLstatAt((int)file.SafeFileHandle.DangerousGetHandle(), "")
            ?? throw new EngineException($"cannot stat log file {file.Name}");
    }

    /// <summary>Opens a file at an offset; null when it does not exist (any more).</summary>
    public static LogFileCursor? TryOpen(string path, long offset)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"cannot read log file {path}: {e.Message}", e);
        }

        try
        {
            file.Position = offset;
            return new LogFileCursor(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>True when <paramref name="status"/> (of the log's path now) is the file this cursor reads.</summary>
    public bool IsSameFile(FileStatus status) =>
        status.Inode == _status.Inode && status.DevMajor == _status.DevMajor && status.DevMinor == _status.DevMinor;

    /// <summary>The next complete line without its newline; false when the file has no complete line left.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = _buffer.AsSpan(_start, newline);
                _start += newline + 1;
                if (!_skipping)
                {
                    return true;
                }

                _skipping = false;
                continue;
            }

            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            if (_end >= MaxLineBytes)
            {
                _skipping = true;
                _end = 0;
            }
            else if (_end == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            int n;
            try
            {
                n = _file.Read(_buffer, _end, _buffer.Length - _end);
            }
            catch (IOException e)
            {
                throw new EngineException($"cannot read log file {_file.Name}: {e.Message}", e);
            }

            if (n == 0)
            {
                line = default;
                return false;
            }

            _end += n;
        }
    }

    public void Dispose() => _file.Dispose();
}
