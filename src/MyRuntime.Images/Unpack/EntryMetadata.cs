using System.Formats.Tar;
using System.Text;

namespace MyRuntime.Images.Unpack;

/// <summary>What a tar entry says about the file it makes: owner, mode (with setuid, setgid, sticky), mtime and
/// xattrs (PAX <c>SCHILY.xattr.NAME</c> records).</summary>
internal sealed record EntryMetadata(int Uid, int Gid, uint Mode, long MtimeSeconds, long MtimeNanoseconds, IReadOnlyList<(string Name, byte[] Value)> Xattrs)
{
    private const string XattrPrefix = "SCHILY.xattr.";

    /// <summary>The entry's metadata; xattr values are taken from <paramref name="raw"/> (exact bytes, see
    /// <see cref="PaxXattrTap"/>) when it names the same xattrs as the entry, else from TarReader's UTF-8 text.</summary>
    public static EntryMetadata Of(TarEntry entry, IReadOnlyDictionary<string, byte[]>? raw = null)
    {
        long ticks = entry.ModificationTime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rest);
        if (rest < 0)
        {
            seconds--;
            rest += TimeSpan.TicksPerSecond;
        }

        var xattrs = new List<(string, byte[])>();
        if (entry is PaxTarEntry pax)
        {
            foreach (var (key, value) in pax.ExtendedAttributes)
            {
                if (key.StartsWith(XattrPrefix, StringComparison.Ordinal) && key.Length > XattrPrefix.Length)
                {
                    xattrs.Add((key[XattrPrefix.Length..], Encoding.UTF8.GetBytes(value)));
                }
            }

            if (raw is not null && raw.Count == xattrs.Count && xattrs.TrueForAll(x => raw.ContainsKey(x.Item1)))
            {
                xattrs = [.. xattrs.Select(x => (x.Item1, raw[x.Item1]))];
            }
        }

        return new EntryMetadata(entry.Uid, entry.Gid, (uint)entry.Mode & 0xfff, seconds, rest * 100, xattrs);
    }
}
