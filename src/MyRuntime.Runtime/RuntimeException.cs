namespace MyRuntime.Runtime;

/// <summary>An error of the runtime layer, worded for the user: one line saying what failed and why.</summary>
public sealed class RuntimeException : Exception
{
    public RuntimeException(string message)
        : base(OneLine(message))
    {
    }

    public RuntimeException(string message, Exception inner)
        : base(OneLine(message), inner)
    {
    }

    /// <summary>Line breaks in quoted input (a name, a media type, JSON text) written as <c>\n</c> and <c>\r</c>, so
    /// that the message stays one line.</summary>
    private static string OneLine(string message) =>
        message.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
