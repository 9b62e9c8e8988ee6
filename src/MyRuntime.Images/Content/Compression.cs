using System.IO.Compression;
using MyRuntime.Oci.ImageSpec;
using ZstdSharp;

namespace MyRuntime.Images.Content;

/// <summary>How a layer or an archive is compressed, told by its first bytes: gzip (1f 8b), zstd (28 b5 2f fd),
/// else none.</summary>
public enum ContentCompression
{
    None,
    Gzip,
    Zstd,
}

/// <summary>Opening compressed content: by its magic bytes, from seekable files or from streams read once.</summary>
public static class CompressedStreams
{
    public static ContentCompression Detect(ReadOnlySpan<byte> magic) =>
        magic.Length >= 2 && magic[0] == 0x1f && magic[1] == 0x8b ? ContentCompression.Gzip
        : magic.Length >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd ? ContentCompression.Zstd
        : ContentCompression.None;

    /// <summary>The compression of a file.</summary>
    public static ContentCompression DetectFile(string path)
    {
        using var fs = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[4];
        int n = fs.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        return Detect(magic[..n]);
    }

    /// <summary>The OCI layer media type for a layer of this compression.</summary>
    public static string LayerMediaType(ContentCompression c) => c switch
    {
        ContentCompression.Gzip => MediaTypes.OciLayerGzip,
        ContentCompression.Zstd => MediaTypes.OciLayerZstd,
        _ => MediaTypes.OciLayer,
    };

    /// <summary>The uncompressed content of <paramref name="source"/>, which need not be seekable: its first bytes
    /// are read to tell the compression and given back in front of the rest. Disposing the result disposes the
    /// source unless <paramref name="leaveOpen"/>.</summary>
    public static Stream Decompress(Stream source, bool leaveOpen = false)
    {
        byte[] magic = new byte[4];
        int n = source.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        var whole = new PeekedStream(magic.AsMemory(0, n), source, leaveOpen);
        return Detect(magic.AsSpan(0, n)) switch
        {
            ContentCompression.Gzip => new GZipStream(whole, CompressionMode.Decompress),
            ContentCompression.Zstd => new DecompressionStream(whole),
            _ => whole,
        };
    }

    /// <summary>Whether an exception is what broken compressed or tar content throws.</summary>
    public static bool IsCorruptContent(Exception e) =>
        e is InvalidDataException or FormatException or ZstdException or EndOfStreamException;

    /// <summary>A read-only stream: some bytes already read, then the rest of the source.</summary>
    private sealed class PeekedStream : Stream
    {
        private readonly Stream rest;
        private readonly bool leaveOpen;
        private ReadOnlyMemory<byte> head;

        public PeekedStream(ReadOnlyMemory<byte> head, Stream rest, bool leaveOpen)
        {
            this.head = head;
            this.rest = rest;
            this.leaveOpen = leaveOpen;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (head.Length > 0)
            {
                int n = Math.Min(head.Length, buffer.Length);
                head.Span[..n].CopyTo(buffer);
                head = head[n..];
                return n;
            }

            return rest.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !leaveOpen)
            {
                rest.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
