namespace MyRuntime.Engine;

/// <summary>An error of the engine (flags, containers, bundles), worded for the user: one line saying what failed
/// and why.</summary>
public sealed class EngineException : Exception
{
    public EngineException(string message)
        : base(OneLine(message))
    {
    }

    public EngineException(string message, Exception inner)
        : base(OneLine(message), inner)
    {
    }

    /// <summary>Line breaks in quoted input (a name, a media type, JSON text) written as <c>\n</c> and <c>\r</c>, so
    /// that the message stays one line.</summary>
    private static string OneLine(string message) =>
        message.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
