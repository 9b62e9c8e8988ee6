namespace MyRuntime.Images.Store;

/// <summary>Files that are whole or absent: written under a temp name, flushed to disk, then renamed into place.</summary>
public static class AtomicFile
{
    private const UnixFileMode Default = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Creates <paramref name="temp"/> (which must not exist) holding <paramref name="bytes"/>, flushed to disk.</summary>
    public static void WriteTemp(string temp, ReadOnlySpan<byte> bytes, UnixFileMode mode = Default)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode };
        using var fs = new FileStream(temp, options);
        fs.Write(bytes);
        fs.Flush(flushToDisk: true);
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/> by way of <paramref name="temp"/>, which
    /// is gone afterwards whatever happens.</summary>
    public static void Replace(string path, string temp, ReadOnlySpan<byte> bytes, UnixFileMode mode = Default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
            WriteTemp(temp, bytes, mode);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
