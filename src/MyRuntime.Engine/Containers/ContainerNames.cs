using System.Text.RegularExpressions;

namespace MyRuntime.Engine.Containers;

/// <summary>Container names: Docker's validation rule and generated <c>adjective_surname</c> names.</summary>
public static partial class ContainerNames
{
    private static readonly string[] Adjectives =
    [
        "agile", "amber", "ancient", "bold", "brave", "bright", "calm", "clever", "cosmic", "crisp",
        "curious", "daring", "eager", "fancy", "fierce", "gentle", "glad", "golden", "happy", "humble",
        "jolly", "keen", "kind", "lively", "lucid", "merry", "mighty", "nimble", "noble", "patient",
        "plucky", "proud", "quiet", "rapid", "serene", "sharp", "silent", "steady", "swift", "witty",
    ];

    private static readonly string[] Surnames =
    [
        "babbage", "bohr", "boole", "curie", "darwin", "dijkstra", "euler", "faraday", "fermi", "feynman",
        "gauss", "goodall", "hamilton", "hopper", "hypatia", "kepler", "knuth", "lamarr", "leibniz", "lovelace",
        "maxwell", "meitner", "mendel", "newton", "noether", "pascal", "pasteur", "planck", "ramanujan", "riemann",
        "ritchie", "shannon", "sinoussi", "tesla", "thompson", "torvalds", "turing", "volta", "wiles", "wozniak",
    ];

    /// <summary>Strips Docker's optional leading slash and checks the rule <c>[a-zA-Z0-9][a-zA-Z0-9_.-]+</c>.</summary>
    /// <returns>The name without the slash.</returns>
    public static string Validate(string name)
    {
        string bare = name.StartsWith('/') ? name[1..] : name;
        if (!NamePattern().IsMatch(bare))
        {
            throw new EngineException($"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }

        return bare;
    }

    /// <summary>A random <c>adjective_surname</c>; after the first few tries (<paramref name="retry"/> &gt; 3) a
    /// random digit is appended, as Docker does, so that a crowded store still finds a free name.</summary>
    public static string Generate(int retry = 0)
    {
        string name = Adjectives[RandomBytes.Below(Adjectives.Length)] + "_"
            + Surnames[RandomBytes.Below(Surnames.Length)];
        return retry > 3 ? name + RandomBytes.Below(10) : name;
    }

    [GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9_.-]+\z")]
    private static partial Regex NamePattern();
}
