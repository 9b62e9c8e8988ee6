using System.Text;

namespace MyRuntime.Images.Unpack;

/// <summary>Follows the tar block structure of the bytes TarReader reads through it and keeps the raw bytes of
/// each PAX <c>SCHILY.xattr.*</c> record. TarReader decodes PAX values as UTF-8, which mangles binary values such
/// as <c>security.capability</c>; this keeps them exact. <see cref="Current"/> holds the xattrs of the last
/// entry header read (TarReader returns an entry once its header is read, before its data). A PAX or GNU
/// long-name header over 1 MiB (as Go's archive/tar) is refused before TarReader buffers it.</summary>
internal sealed class PaxXattrTap(Stream inner) : Stream
{
    private const int Block = 512;
    private const string Prefix = "SCHILY.xattr.";
    private const long MaxMetaSize = 1 << 20;
    private readonly byte[] header = new byte[Block];
    private int headerFill;
    private long dataLeft;
    private long paddingLeft;
    private MemoryStream? paxData;
    private Dictionary<string, byte[]>? pending;
    private long? pendingSize;

    /// <summary>The raw xattrs of the entry whose header was read last (null when it had none).</summary>
    public IReadOnlyDictionary<string, byte[]>? Current { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        Follow(buffer[..n]);
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    private void Follow(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            if (dataLeft > 0)
            {
                int take = (int)Math.Min(dataLeft, bytes.Length);
                paxData?.Write(bytes[..take]);
                dataLeft -= take;
                bytes = bytes[take..];
                if (dataLeft == 0 && paxData is not null)
                {
                    (pending, pendingSize) = ParseRecords(paxData.ToArray());
                    paxData = null;
                }
            }
            else if (paddingLeft > 0)
            {
                int take = (int)Math.Min(paddingLeft, bytes.Length);
                paddingLeft -= take;
                bytes = bytes[take..];
            }
            else
            {
                int take = Math.Min(Block - headerFill, bytes.Length);
                bytes[..take].CopyTo(header.AsSpan(headerFill));
                headerFill += take;
                bytes = bytes[take..];
                if (headerFill == Block)
                {
                    headerFill = 0;
                    OnHeader();
                }
            }
        }
    }

    private void OnHeader()
    {
        if (header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
        {
            return;
        }

        byte type = header[156];
        long size = ParseSize(header.AsSpan(124, 12));
        bool meta = type is (byte)'x' or (byte)'g' or (byte)'L' or (byte)'K';
        if (meta && size is < 0 or > MaxMetaSize)
        {
            // TarReader reads such a header's data into memory: its size field must not decide an allocation.
            throw new InvalidDataException($"a tar extended header (type '{(char)type}') of {size} bytes is larger than {MaxMetaSize} bytes");
        }

        if (!meta)
        {
            size = pendingSize ?? size;
            Current = pending;
            pending = null;
            pendingSize = null;
        }

        paxData = type == (byte)'x' ? new MemoryStream() : null;
        dataLeft = size;
        paddingLeft = (Block - (size % Block)) % Block;
        if (size == 0 && paxData is not null)
        {
            (pending, pendingSize) = ParseRecords([]);
            paxData = null;
        }
    }

    private static long ParseSize(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            long v = field[0] & 0x7f;
            for (int i = 1; i < field.Length; i++)
            {
                v = (v << 8) | field[i];
            }

            return v;
        }

        long octal = 0;
        foreach (byte b in field)
        {
            if (b is >= (byte)'0' and <= (byte)'7')
            {
                octal = (octal * 8) + (b - '0');
            }
            else if (b is 0 or (byte)' ' && octal > 0)
            {
                break;
            }
        }

        return octal;
    }

    /// <summary>PAX records are "LEN KEY=VALUE\n", LEN counting the whole record.</summary>
    private static (Dictionary<string, byte[]>?, long?) ParseRecords(byte[] data)
    {
        Dictionary<string, byte[]>? xattrs = null;
        long? size = null;
        int pos = 0;
        while (pos < data.Length)
        {
            int space = Array.IndexOf(data, (byte)' ', pos);
            if (space < 0 || !int.TryParse(data.AsSpan(pos, space - pos), out int length)
                || length < space - pos + 2 || length > data.Length - pos)
            {
                break;
            }

            var record = data.AsSpan(space + 1, pos + length - space - 2);
            int eq = record.IndexOf((byte)'=');
            if (eq > 0)
            {
                string key = Encoding.UTF8.GetString(record[..eq]);
                if (key.StartsWith(Prefix, StringComparison.Ordinal))
                {
                    (xattrs ??= [])[key[Prefix.Length..]] = record[(eq + 1)..].ToArray();
                }
                else if (key == "size" && long.TryParse(record[(eq + 1)..], out long s))
                {
                    size = s;
                }
            }

            pos += length;
        }

        return (xattrs, size);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
