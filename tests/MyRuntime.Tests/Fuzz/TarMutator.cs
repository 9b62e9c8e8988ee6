using System.Text;

namespace MyRuntime.Tests.Fuzz;

/// <summary>Mutations aimed at tar headers: a field of a 512-byte header (name, mode, ids, size, mtime, type,
/// link name, ustar prefix, device numbers) set to a hostile value, the header's checksum then recomputed so that
/// the reader gets past it; else a byte mutation. Compressed seeds are mutated as bytes (bad gzip and zstd).</summary>
public static class TarMutator
{
    private const int Block = 512;

    private static readonly (int Offset, int Length)[] Fields =
    [
        (0, 100), (100, 8), (108, 8), (116, 8), (124, 12), (136, 12), (156, 1), (157, 100), (329, 8), (337, 8), (345, 155),
    ];

    private static readonly string[] Names =
    [
        "../x", "../../x", "/../x", "a/../../x", "./././", "/", "", ".", "..", "a/b/../../..", ".wh.x", "a/.wh..wh..opq",
        ".wh..wh..opq", ".wh.", ".wh...", "x\0y", "dev", "a//b", "link/x", "/tmp/x", "\u00e9\u00e8",
    ];

    private static readonly string[] Numbers =
    [
        "77777777777", "7777777", "0000000", "-1", "99999999999", "        ", "17777777777", "\u0080\0\0\0\0\0\0\0\0\0\0\u0001",
    ];

    private static readonly byte[] Types = "0123456789xgLKSDMVAZ\0"u8.ToArray();

    public static byte[] Mutate(byte[] input, byte[] other, Random rng)
    {
        int headers = input.Length / Block;
        bool compressed = input.Length >= 2 && ((input[0] == 0x1f && input[1] == 0x8b) || (input[0] == 0x28 && input[1] == 0xb5));
        if (compressed || headers == 0 || rng.Next(3) == 0)
        {
            return ByteMutator.Mutate(input, other, rng);
        }

        byte[] data = [.. input];
        int count = 1 + rng.Next(3);
        for (int i = 0; i < count; i++)
        {
            int block = HeaderBlocks(data) is { Count: > 0 } found ? found[rng.Next(found.Count)] : rng.Next(headers) * Block;
            var (offset, length) = Fields[rng.Next(Fields.Length)];
            var field = data.AsSpan(block + offset, length);
            byte[] value = length == 1 ? [Types[rng.Next(Types.Length)]]
                : offset is 0 or 157 or 345 ? Encoding.UTF8.GetBytes(Names[rng.Next(Names.Length)])
                : Encoding.Latin1.GetBytes(Numbers[rng.Next(Numbers.Length)]);
            field.Clear();
            value.AsSpan(0, Math.Min(value.Length, length)).CopyTo(field);
            if (rng.Next(8) != 0)
            {
                FixChecksum(data.AsSpan(block, Block));
            }
        }

        return data;
    }

    /// <summary>The offsets of the blocks that look like headers (a valid ustar/gnu magic).</summary>
    private static List<int> HeaderBlocks(byte[] data)
    {
        var found = new List<int>();
        for (int b = 0; b + Block <= data.Length; b += Block)
        {
            if (data.AsSpan(b + 257, 5).SequenceEqual("ustar"u8))
            {
                found.Add(b);
            }
        }

        return found;
    }

    private static void FixChecksum(Span<byte> header)
    {
        header.Slice(148, 8).Fill((byte)' ');
        int sum = 0;
        foreach (byte b in header)
        {
            sum += b;
        }

        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header.Slice(148, 8));
    }
}
