using System.Text.Json;

namespace MyRuntime.Tests.Fuzz;

/// <summary>The seeds of a target: the files of <c>Fuzz/corpus/TARGET/</c> (copied beside the test assembly),
/// regression inputs (<c>crash-*</c>) among them, plus the layers <see cref="LayerSeeds"/> makes.</summary>
public static class Corpus
{
    public static string Dir(string target) => Path.Combine(AppContext.BaseDirectory, "Fuzz", "corpus", target);

    public static IEnumerable<(string Name, byte[] Input)> Files(string target) =>
        Directory.Exists(Dir(target))
            ? Directory.EnumerateFiles(Dir(target)).Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)))
            : [];

    public static List<byte[]> Seeds(string target)
    {
        var seeds = Files(target).Select(f => f.Input).ToList();
        if (target == "layer")
        {
            seeds.AddRange(LayerSeeds.All().Select(s => s.Tar));
        }

        if (target == "process")
        {
            // The process objects of the config seeds.
            foreach (var (_, input) in Files("config"))
            {
                try
                {
                    using var doc = JsonDocument.Parse(input);
                    if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("process", out var p))
                    {
                        seeds.Add(System.Text.Encoding.UTF8.GetBytes(p.GetRawText()));
                    }
                }
                catch (Exception e) when (e is JsonException or InvalidOperationException)
                {
                }
            }
        }

        return seeds;
    }

    /// <summary>Every property name in the JSON seeds: keys a mutation may add where they do not belong.</summary>
    public static List<string> Keys(IEnumerable<byte[]> seeds)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (byte[] seed in seeds)
        {
            try
            {
                using var doc = JsonDocument.Parse(seed);
                Walk(doc.RootElement, keys);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
            }
        }

        return [.. keys];
    }

    private static void Walk(JsonElement e, SortedSet<string> keys)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                keys.Add(p.Name);
                Walk(p.Value, keys);
            }
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var v in e.EnumerateArray())
            {
                Walk(v, keys);
            }
        }
    }
}
