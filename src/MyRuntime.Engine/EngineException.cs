namespace MyRuntime.Engine;

/// <summary>An error of the engine (flags, containers, bundles), worded for the user: one line saying what failed
/// and why.</summary>
public sealed class EngineException : Exception
{
    public EngineException(string message)
        : base(message)
    {
    }

    public EngineException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
