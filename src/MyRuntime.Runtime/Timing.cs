namespace MyRuntime.Runtime;

/// <summary>With MYRUNTIME_TIMING=1, marks on stderr the wall-clock time of each step (for bench work).</summary>
public static class Timing
{
    public const string EnvName = "MYRUNTIME_TIMING";

    public static readonly bool Enabled = Environment.GetEnvironmentVariable(EnvName) == "1";

    public static void Mark(string what)
    {
        if (Enabled)
        {
            long us = DateTime.UtcNow.Ticks / 10 % 100_000_000;
            Console.Error.WriteLine($"[{us,9}us {Environment.ProcessId}] {what}");
        }
    }
}
