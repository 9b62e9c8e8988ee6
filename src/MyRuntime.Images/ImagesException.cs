namespace MyRuntime.Images;

/// <summary>An error of the images layer (references, registries, the store, unpacking, snapshots), worded for the
/// user: one line saying what failed and why.</summary>
public sealed class ImagesException : Exception
{
    public ImagesException(string message)
        : base(OneLine(message))
    {
    }

    public ImagesException(string message, Exception inner)
        : base(OneLine(message), inner)
    {
    }

    /// <summary>Line breaks in quoted input (a name, a media type, JSON text) written as <c>\n</c> and <c>\r</c>, so
    /// that the message stays one line.</summary>
    private static string OneLine(string message) =>
        message.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
