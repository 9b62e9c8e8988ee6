using System.Text;

namespace MyRuntime.Tests.Fuzz;

/// <summary>Byte-level mutations of a seed: bit flips, interesting bytes, inserted and deleted runs, duplicated
/// runs, truncation, splices with another seed and inserted tokens. Driven by the caller's <see cref="Random"/>,
/// so a seed replays the same inputs.</summary>
public static class ByteMutator
{
    private static readonly byte[] Interesting = [0, 1, 0x7f, 0x80, 0xff, (byte)'0', (byte)'7', (byte)'9', (byte)' ', (byte)'/', (byte)'.', (byte)'\n', (byte)'"', (byte)'\\'];

    private static readonly byte[][] Tokens = [.. new[]
    {
        "null", "true", "-1", "0", "1e999", "-9223372036854775809", "18446744073709551616", "\"\"", "{}", "[]", "\\u0000",
        "\\ud800", "\u00e9", "\ud83d\ude00", "../", "/..", "//", ":", "@", "sha256:", "\n", "\r\n", "\0",
    }.Select(Encoding.UTF8.GetBytes)];

    /// <summary>One to four mutations of <paramref name="input"/>; <paramref name="other"/> is for splices.</summary>
    public static byte[] Mutate(byte[] input, byte[] other, Random rng, int maxLength = 1 << 20)
    {
        var data = new List<byte>(input);
        int count = 1 + rng.Next(4);
        for (int i = 0; i < count; i++)
        {
            MutateOnce(data, other, rng);
        }

        return data.Count > maxLength ? [.. data.Take(maxLength)] : [.. data];
    }

    private static void MutateOnce(List<byte> data, byte[] other, Random rng)
    {
        int pos = data.Count == 0 ? 0 : rng.Next(data.Count);
        switch (rng.Next(10))
        {
            case 0 when data.Count > 0:
                data[pos] ^= (byte)(1 << rng.Next(8));
                break;
            case 1 when data.Count > 0:
                data[pos] = Interesting[rng.Next(Interesting.Length)];
                break;
            case 2:
                data.InsertRange(pos, Enumerable.Range(0, 1 + rng.Next(16)).Select(_ => (byte)rng.Next(256)));
                break;
            case 3 when data.Count > 0:
                data.RemoveRange(pos, Math.Min(data.Count - pos, 1 + rng.Next(32)));
                break;
            case 4 when data.Count > 0:
                int len = Math.Min(data.Count - pos, 1 + rng.Next(64));
                data.InsertRange(rng.Next(data.Count), data.GetRange(pos, len));
                break;
            case 5 when data.Count > 0:
                data.RemoveRange(pos, data.Count - pos);
                break;
            case 6 when other.Length > 0:
                int from = rng.Next(other.Length);
                data.RemoveRange(pos, data.Count - pos);
                data.AddRange(other.AsSpan(from).ToArray());
                break;
            case 7 when other.Length > 0:
                int start = rng.Next(other.Length);
                data.InsertRange(pos, other.AsSpan(start, Math.Min(other.Length - start, 1 + rng.Next(64))).ToArray());
                break;
            case 8 when data.Count > 0:
                // A run of digits: numbers that overflow, or octal fields that grow.
                data.InsertRange(pos, Enumerable.Repeat((byte)(rng.Next(2) == 0 ? '7' : '9'), 1 + rng.Next(24)));
                break;
            default:
                data.InsertRange(pos, Tokens[rng.Next(Tokens.Length)]);
                break;
        }
    }
}
