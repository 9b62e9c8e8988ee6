namespace MyRuntime.Images.Unpack;

/// <summary>A tar entry's name made relative to the layer's root as Docker does: a leading <c>/</c> means the
/// root, <c>.</c> and empty components go, <c>..</c> removes the component before it; a name that would climb
/// above the root, or holds a NUL, is refused.</summary>
internal static class EntryPath
{
    /// <summary>The cleaned relative path ("" for the root itself).</summary>
    public static string Clean(string name, string what = "entry")
    {
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw Refused(name, $"its {what} name contains NUL");
        }

        var parts = new List<string>();
        foreach (string part in name.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count == 0)
                {
                    throw Refused(name, $"its {what} name leads outside the layer");
                }

                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }

    /// <summary>The directory part and the last component of a cleaned, non-empty path.</summary>
    public static (string Parent, string Leaf) Split(string clean)
    {
        int slash = clean.LastIndexOf('/');
        return slash < 0 ? ("", clean) : (clean[..slash], clean[(slash + 1)..]);
    }

    /// <summary>A name as it can be shown on one line.</summary>
    public static string Printable(string name) =>
        name.Replace("\0", "\\0", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public static ImagesException Refused(string name, string why) =>
        new($"layer refused: entry \"{Printable(name)}\": {why}");
}
