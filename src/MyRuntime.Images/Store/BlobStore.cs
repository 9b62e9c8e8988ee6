using System.Security.Cryptography;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Store;

/// <summary>Content-addressed blobs under blobs/ALG/HEX. A blob there is complete and verified: content only ever
/// gets there by a rename from tmp/ after its size and digest were checked and it was fsynced.</summary>
public sealed class BlobStore
{
    public BlobStore(StoreLayout layout)
    {
        Layout = layout;
    }

    public StoreLayout Layout { get; }

    public bool Contains(Digest d) => File.Exists(Layout.Blob(d));

    public string PathOf(Digest d) => Layout.Blob(d);

    public byte[] Read(Digest d)
    {
        try
        {
            return File.ReadAllBytes(Layout.Blob(d));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ImagesException($"blob {d} is missing from the store");
        }
    }

    /// <summary>Stores bytes already in memory (a manifest, a config) after checking their digest.</summary>
    public void Write(Digest d, byte[] bytes)
    {
        string temp = NewTemp("blob");
        try
        {
            AtomicFile.WriteTemp(temp, bytes);
            Commit(temp, d, d);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>A fresh tmp/ path (tmp/ created).</summary>
    public string NewTemp(string what)
    {
        Directory.CreateDirectory(Layout.Tmp);
        return Layout.NewTemp(what);
    }

    /// <summary>Renames a complete temp file into place once its size and digest are those expected; otherwise an
    /// <see cref="ImagesException"/> naming the digest (the caller removes the temp file).</summary>
    public void Commit(string temp, Digest expected, Digest actual)
    {
        if (actual != expected)
        {
            throw new ImagesException($"blob {expected}: the content has digest {actual} (corrupt or tampered download)");
        }

        string final = Layout.Blob(expected);
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        File.Move(temp, final, overwrite: true);
    }

    public void Delete(Digest d) => File.Delete(Layout.Blob(d));

    /// <summary>An incremental hash for a digest's algorithm.</summary>
    public static IncrementalHash HasherFor(Digest d) =>
        IncrementalHash.CreateHash(d.Algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);

    public static Digest DigestFrom(Digest like, byte[] hash) => like.Algorithm == "sha512"
        ? Digest.Parse("sha512:" + Convert.ToHexStringLower(hash))
        : Digest.Sha256(hash);

    /// <summary>Removes tmp/ entries left by processes that no longer exist (names are WHAT-PID-GUID).</summary>
    public void RemoveStaleTemps()
    {
        if (!Directory.Exists(Layout.Tmp))
        {
            return;
        }

        foreach (string entry in Directory.EnumerateFileSystemEntries(Layout.Tmp))
        {
            string[] parts = Path.GetFileName(entry).Split('-');
            if (parts.Length >= 3 && int.TryParse(parts[^2], out int pid) && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
            {
                try
                {
                    if (Directory.Exists(entry))
                    {
                        TreeRemover.Remove(entry); // a half-unpacked layer: modes and links of its own, never followed
                    }
                    else
                    {
                        File.Delete(entry);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ImagesException or MyRuntime.Linux.LinuxException)
                {
                    // another cleaner got it first, or it is not ours to remove: leave it
                }
            }
        }
    }
}
