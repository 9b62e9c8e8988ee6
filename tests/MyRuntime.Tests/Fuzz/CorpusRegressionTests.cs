namespace MyRuntime.Tests.Fuzz;

/// <summary>Every corpus file (seeds, and the inputs of bugs the fuzzer found, <c>crash-*</c>) and every made
/// layer seed, run once through its target: each must parse or fail with the target's own one-line error.</summary>
public sealed class CorpusRegressionTests
{
    public static TheoryData<string, string> Inputs
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string target in FuzzTargets.Names)
            {
                foreach (var (file, _) in Corpus.Files(target))
                {
                    data.Add(target, file);
                }
            }

            foreach (var (seed, _) in LayerSeeds.All())
            {
                data.Add("layer", "made:" + seed);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_ParsesOrFailsWithTheParsersOwnError(string target, string file)
    {
        byte[] input = file.StartsWith("made:", StringComparison.Ordinal)
            ? LayerSeeds.All().Single(s => s.Name == file[5..]).Tar
            : File.ReadAllBytes(Path.Combine(Corpus.Dir(target), file));
        using var targets = new FuzzTargets();
        var (outcome, why) = targets.Get(target).Try(input);
        Assert.True(why is null, $"{target}/{file}: {why}\n{outcome}");
    }
}
