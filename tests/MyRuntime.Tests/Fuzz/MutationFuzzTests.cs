using Xunit.Abstractions;

namespace MyRuntime.Tests.Fuzz;

/// <summary>The mutation fuzzer, one target per case, for the budget of <see cref="FuzzBudget"/>
/// (<c>FUZZ_SECONDS</c>, <c>FUZZ_ITERATIONS</c>, <c>FUZZ_SEED</c>).</summary>
[Trait("Category", "Fuzz")]
public sealed class MutationFuzzTests(ITestOutputHelper output)
{
    public static TheoryData<string> Targets => [.. FuzzTargets.Names];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Target_OnlyParsesOrFailsWithItsOwnOneLineError(string name)
    {
        using var targets = new FuzzTargets();
        var target = targets.Get(name);
        var seeds = Corpus.Seeds(name);
        var budget = FuzzBudget.FromEnvironment();
        var result = FuzzRunner.Run(target, seeds, budget, Corpus.Keys(seeds));
        output.WriteLine($"{name}: {result.Iterations} inputs in {result.Elapsed.TotalSeconds:F1} s, seed {budget.Seed}, {result.Findings.Count} findings");
        Assert.True(result.Findings.Count == 0, string.Join("\n", result.Findings));
        Assert.True(result.Iterations > seeds.Count || budget.Iterations == 0, $"{name}: no mutated input ran");
    }
}
