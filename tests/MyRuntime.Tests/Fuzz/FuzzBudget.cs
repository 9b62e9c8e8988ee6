using System.Globalization;

namespace MyRuntime.Tests.Fuzz;

/// <summary>How long each fuzz target runs and from which seed, from the environment: <c>FUZZ_SECONDS</c> (time
/// per target, default 4), <c>FUZZ_ITERATIONS</c> (inputs per target; when set, it alone bounds the run),
/// <c>FUZZ_SEED</c> (default: a fresh one, printed with every finding so a run can be replayed).</summary>
public sealed record FuzzBudget(TimeSpan Time, long? Iterations, int Seed)
{
    public const double DefaultSeconds = 4;

    public static FuzzBudget FromEnvironment()
    {
        double seconds = Number("FUZZ_SECONDS") ?? DefaultSeconds;
        long? iterations = Number("FUZZ_ITERATIONS") is { } n ? (long)n : null;
        // Any integer replays: one over int's range is folded into it (the folded value is what findings print).
        int seed = Number("FUZZ_SEED") is { } s ? unchecked((int)(long)s) : Random.Shared.Next();
        return new FuzzBudget(TimeSpan.FromSeconds(seconds), iterations, seed);
    }

    /// <summary>Whether another input fits: under the iteration count when one is set, else under the time.</summary>
    public bool Allows(long done, TimeSpan elapsed) => Iterations is { } max ? done < max : elapsed < Time;

    private static double? Number(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 ? v
                : throw new ArgumentException($"{name}={text} is not a non-negative number")
            : null;
}
