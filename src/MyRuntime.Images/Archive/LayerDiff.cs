using System.Security.Cryptography;
using MyRuntime.Images.Content;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Archive;

/// <summary>A layer's uncompressed content: its diff id (sha256 of the uncompressed tar) and size.</summary>
public readonly record struct LayerDiff(Digest DiffId, long Size)
{
    /// <summary>Reads the layer blob at <paramref name="path"/> (plain, gzip or zstd) to its end, hashing the
    /// uncompressed tar and copying it to <paramref name="copyTo"/> when given.</summary>
    public static LayerDiff Of(string path, Stream? copyTo = null)
    {
        try
        {
            using var source = CompressedStreams.Decompress(File.OpenRead(path));
            using var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            byte[] buffer = new byte[1 << 17];
            long size = 0;
            int n;
            while ((n = source.Read(buffer)) > 0)
            {
                hasher.AppendData(buffer, 0, n);
                copyTo?.Write(buffer, 0, n);
                size += n;
            }

            return new LayerDiff(Digest.Sha256(hasher.GetHashAndReset()), size);
        }
        catch (Exception e) when (CompressedStreams.IsCorruptContent(e))
        {
            throw new ImagesException($"layer {Path.GetFileName(path)} cannot be decompressed: {e.Message}", e);
        }
    }
}
