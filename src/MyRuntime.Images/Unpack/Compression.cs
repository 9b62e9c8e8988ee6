using System.IO.Compression;
using ZstdSharp;

namespace MyRuntime.Images.Unpack;

/// <summary>The compression of a layer blob, told by its first bytes: gzip (1f 8b), zstd (28 b5 2f fd), else a
/// plain tar.</summary>
internal static class Compression
{
    /// <summary>A stream of the uncompressed tar read from <paramref name="layer"/> (which it leaves open).</summary>
    public static Stream Decompress(Stream layer)
    {
        byte[] magic = new byte[4];
        int n = 0;
        while (n < magic.Length)
        {
            int r = layer.Read(magic, n, magic.Length - n);
            if (r == 0)
            {
                break;
            }

            n += r;
        }

        var whole = new PrefixedStream(magic.AsMemory(0, n), layer);
        if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            return new GZipStream(whole, CompressionMode.Decompress);
        }

        if (n == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
        {
            return new DecompressionStream(whole);
        }

        return whole;
    }
}
