using System.Formats.Tar;
using MyRuntime.Images.Content;
using MyRuntime.Oci.ImageSpec;
using ZstdSharp;

namespace MyRuntime.Images.Unpack;

/// <summary>Unpacks a layer blob (gzip, zstd or plain tar, told by its magic bytes) into a directory, computing
/// the layer's diff id (the sha256 of the uncompressed tar) on the way. A hostile entry is refused with an
/// <see cref="ImagesException"/> naming it, and nothing is ever written outside the target directory. On any
/// failure the target holds a partial layer: the caller removes it.</summary>
public static class LayerUnpacker
{
    /// <summary>Unpacks <paramref name="layer"/> (read to its end, left open) into the existing, empty directory
    /// <paramref name="targetDir"/>; returns the diff id for the caller to check against the image config's
    /// rootfs.diff_ids.</summary>
    public static Digest Unpack(Stream layer, string targetDir, UnpackOptions options)
    {
        try
        {
            using var tar = CompressedStreams.Decompress(layer, leaveOpen: true);
            using var hashing = new HashingStream(tar);
            using (var writer = new LayerWriter(targetDir, options))
            using (var tap = new PaxXattrTap(hashing))
            using (var reader = new TarReader(tap, leaveOpen: true))
            {
                while (NextEntry(reader) is { } entry)
                {
                    writer.Write(entry, tap.Current);
                }

                writer.Finish();
            }

            return hashing.Finish();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or ZstdException or EndOfStreamException)
        {
            throw new ImagesException($"layer is not a valid tar archive: {e.Message}", e);
        }
    }

    /// <summary>The next entry; one of a type TarReader cannot read (a GNU sparse file) or a header field that
    /// overflows is a broken layer.</summary>
    private static TarEntry? NextEntry(TarReader reader)
    {
        try
        {
            return reader.GetNextEntry(copyData: false);
        }
        catch (Exception e) when (e is NotSupportedException or OverflowException)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }
}
