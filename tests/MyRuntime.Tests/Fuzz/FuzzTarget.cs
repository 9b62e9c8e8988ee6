namespace MyRuntime.Tests.Fuzz;

/// <summary>What a fuzz target's input looks like, which decides how it is mutated.</summary>
public enum FuzzInputKind
{
    Json,
    Text,
    Tar,
}

/// <summary>A parser under fuzzing: <see cref="Run"/> feeds it one input; it must return or throw an exception
/// that <see cref="IsExpected"/> accepts (the parser's own typed error), whose message is one non-empty line.</summary>
public sealed record FuzzTarget(string Name, FuzzInputKind Kind, Action<byte[]> Run, Func<Exception, bool> IsExpected)
{
    /// <summary>Runs the target on one input: the exception it ended with (null when none) and why that is a bug
    /// (null when it is fine).</summary>
    public (Exception? Outcome, string? Why) Try(byte[] input)
    {
        Exception? outcome = null;
        try
        {
            Run(input);
        }
        catch (Exception e)
        {
            outcome = e;
        }

        return (outcome, Judge(outcome));
    }

    /// <summary>Why an outcome is a bug, or null when it is fine.</summary>
    public string? Judge(Exception? e) => e switch
    {
        null => null,
        FuzzViolation v => v.Message,
        _ when !IsExpected(e) => $"unexpected {e.GetType().FullName}: {e.Message}",
        _ when e.Message.Length == 0 => $"{e.GetType().Name} with an empty message",
        _ when e.Message.AsSpan().IndexOfAny('\n', '\r') >= 0 => $"{e.GetType().Name} message is not one line: {e.Message.ReplaceLineEndings("\\n")}",
        _ => null,
    };
}

/// <summary>A target's own check failed (a file outside the target directory, a broken invariant).</summary>
public sealed class FuzzViolation(string message) : Exception(message);
