using System.Security.Cryptography;

namespace MyRuntime.Images.Archive;

/// <summary>A read-only stream over a source that hashes (sha256) every byte read and copies it to a sink.</summary>
internal sealed class TeeReadStream : Stream
{
    private readonly Stream source;
    private readonly Stream sink;
    private readonly IncrementalHash hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public TeeReadStream(Stream source, Stream sink)
    {
        this.source = source;
        this.sink = sink;
    }

    /// <summary>Bytes read so far.</summary>
    public long Count { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>The sha256 of what was read.</summary>
    public byte[] Hash() => hasher.GetHashAndReset();

    /// <summary>Reads the source to its end.</summary>
    public void Drain()
    {
        byte[] buffer = new byte[1 << 16];
        while (Read(buffer) > 0)
        {
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = source.Read(buffer);
        if (n > 0)
        {
            hasher.AppendData(buffer[..n]);
            sink.Write(buffer[..n]);
            Count += n;
        }

        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hasher.Dispose();
        }

        base.Dispose(disposing);
    }
}
