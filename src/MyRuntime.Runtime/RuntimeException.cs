namespace MyRuntime.Runtime;

/// <summary>An error of the runtime layer, worded for the user: one line saying what failed and why.</summary>
public sealed class RuntimeException : Exception
{
    public RuntimeException(string message)
        : base(message)
    {
    }

    public RuntimeException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
