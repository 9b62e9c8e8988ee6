using System.Diagnostics;
using System.Globalization;

namespace MyRuntime.Tests.Fuzz;

/// <summary>Runs a target over its corpus (every seed as is first), then over seeded mutations of it for the
/// budget. Inputs run on a worker thread watched for hangs. Findings (with the seed, the iteration and the input,
/// saved under <c>FUZZ_FINDINGS</c> or the temp directory) fail the run; statistics go to <c>FUZZ_STATS</c>
/// when it names a file.</summary>
public static class FuzzRunner
{
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(20);

    public sealed record Result(string Target, long Iterations, TimeSpan Elapsed, IReadOnlyList<string> Findings);

    public static Result Run(FuzzTarget target, IReadOnlyList<byte[]> seeds, FuzzBudget budget, IReadOnlyList<string> jsonKeys)
    {
        if (seeds.Count == 0)
        {
            throw new InvalidOperationException($"fuzz target {target.Name} has no seeds");
        }

        var findings = new List<string>();
        var seen = new HashSet<string>();
        var rng = new Random(budget.Seed ^ StableHash(target.Name));
        var clock = Stopwatch.StartNew();
        long iterations = 0;
        long inputStarted = 0;
        byte[] current = [];
        bool done = false;
        Exception? crash = null;

        var worker = new Thread(() =>
        {
            try
            {
                for (long i = 0; i < seeds.Count || budget.Allows(i - seeds.Count, clock.Elapsed); i++)
                {
                    byte[] input = i < seeds.Count ? seeds[(int)i] : Mutate(target.Kind, seeds, jsonKeys, rng);
                    Volatile.Write(ref current, input);
                    Volatile.Write(ref inputStarted, clock.ElapsedTicks);
                    var (outcome, why) = target.Try(input);
                    if (why is not null && seen.Add(Signature(outcome!)))
                    {
                        lock (findings)
                        {
                            findings.Add(Report(target, budget, i, input, why, outcome!));
                        }
                    }

                    Interlocked.Increment(ref iterations);
                }
            }
            catch (Exception e)
            {
                crash = e;
            }
            finally
            {
                Volatile.Write(ref done, true);
            }
        }, 16 * 1024 * 1024)
        { IsBackground = true, Name = $"fuzz-{target.Name}" };
        worker.Start();

        while (!worker.Join(200))
        {
            var running = TimeSpan.FromTicks((long)((clock.ElapsedTicks - Volatile.Read(ref inputStarted)) * (TimeSpan.TicksPerSecond / (double)Stopwatch.Frequency)));
            if (!Volatile.Read(ref done) && running > HangLimit)
            {
                lock (findings)
                {
                    findings.Add(Report(target, budget, Interlocked.Read(ref iterations), Volatile.Read(ref current), $"hang: one input ran over {HangLimit.TotalSeconds} s", null));
                }

                break;
            }
        }

        if (crash is not null)
        {
            throw new InvalidOperationException($"fuzz target {target.Name}: the fuzzer itself failed (seed {budget.Seed})", crash);
        }

        var result = new Result(target.Name, Interlocked.Read(ref iterations), clock.Elapsed, findings);
        WriteStats(result);
        return result;
    }

    private static byte[] Mutate(FuzzInputKind kind, IReadOnlyList<byte[]> seeds, IReadOnlyList<string> keys, Random rng)
    {
        byte[] seed = seeds[rng.Next(seeds.Count)];
        byte[] other = seeds[rng.Next(seeds.Count)];
        return kind switch
        {
            FuzzInputKind.Json => rng.Next(4) == 0 ? ByteMutator.Mutate(seed, other, rng) : JsonMutator.Mutate(seed, other, keys, rng),
            FuzzInputKind.Tar => TarMutator.Mutate(seed, other, rng),
            _ => ByteMutator.Mutate(seed, other, rng, maxLength: 4096),
        };
    }

    /// <summary>The exception's type and the first frame in our code: one finding per distinct bug.</summary>
    private static string Signature(Exception e)
    {
        string frame = e.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("MyRuntime.", StringComparison.Ordinal) && !l.Contains(".Tests.", StringComparison.Ordinal))?.Trim() ?? "";
        return e is FuzzViolation ? e.Message : $"{e.GetType().FullName} {frame}";
    }

    private static string Report(FuzzTarget target, FuzzBudget budget, long iteration, byte[] input, string why, Exception? e)
    {
        string dir = Environment.GetEnvironmentVariable("FUZZ_FINDINGS") is { Length: > 0 } d ? d : Path.Combine(Path.GetTempPath(), "myruntime-fuzz-findings");
        Directory.CreateDirectory(Path.Combine(dir, target.Name));
        string file = Path.Combine(dir, target.Name, $"crash-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(input))[..16]}");
        File.WriteAllBytes(file, input);
        string where = e?.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("MyRuntime.", StringComparison.Ordinal))?.Trim() ?? "";
        return $"[{target.Name}] FUZZ_SEED={budget.Seed} iteration {iteration}: {why} {where} (input saved to {file}, {input.Length} bytes)";
    }

    private static void WriteStats(Result r)
    {
        if (Environment.GetEnvironmentVariable("FUZZ_STATS") is { Length: > 0 } file)
        {
            double rate = r.Iterations / Math.Max(r.Elapsed.TotalSeconds, 0.001);
            string line = string.Create(CultureInfo.InvariantCulture, $"{r.Target}\t{r.Iterations}\t{r.Elapsed.TotalSeconds:F1}\t{rate:F0}\t{r.Findings.Count}\n");
            lock (typeof(FuzzRunner))
            {
                File.AppendAllText(file, line);
            }
        }
    }

    private static int StableHash(string s)
    {
        int h = 17;
        foreach (char c in s)
        {
            h = (h * 31) + c;
        }

        return h;
    }
}
