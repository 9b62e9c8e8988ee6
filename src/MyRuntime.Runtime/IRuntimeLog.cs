namespace MyRuntime.Runtime;

/// <summary>Where the runtime reports what it did not fail on but a user should know (the CLI's --log).</summary>
public interface IRuntimeLog
{
    void Warn(string message);

    void Debug(string message);
}

/// <summary>A log that drops everything.</summary>
public sealed class NullLog : IRuntimeLog
{
    public static readonly NullLog Instance = new();

    public void Warn(string message)
    {
    }

    public void Debug(string message)
    {
    }
}
