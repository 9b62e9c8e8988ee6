namespace MyRuntime.Network.Firewall;

/// <summary>The nat and filter tables as <c>iptables-save</c> printed them: which chains exist and every rule
/// line (normalized, see <see cref="FirewallRules.Normalize"/>), in order.</summary>
internal sealed class IptablesState
{
    private readonly Dictionary<string, HashSet<string>> chains = [];
    private readonly Dictionary<string, List<string>> rules = [];

    public static IptablesState Parse(string save)
    {
        var state = new IptablesState();
        string? table = null;
        foreach (string raw in save.Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith('*'))
            {
                table = line[1..];
                state.chains.TryAdd(table, []);
                state.rules.TryAdd(table, []);
            }
            else if (table is null || line.Length == 0 || line.StartsWith('#') || line == "COMMIT")
            {
                continue;
            }
            else if (line.StartsWith(':'))
            {
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                state.chains[table].Add(space < 0 ? line[1..] : line[1..space]);
            }
            else if (line.StartsWith("-A ", StringComparison.Ordinal))
            {
                state.rules[table].Add(FirewallRules.Normalize(line));
            }
        }

        return state;
    }

    public bool HasChain(string table, string chain) => chains.TryGetValue(table, out var set) && set.Contains(chain);

    public IReadOnlyList<string> Lines(string table) => rules.TryGetValue(table, out var list) ? list : [];

    /// <summary>How many times the rule is present.</summary>
    public int Count(FirewallRule rule)
    {
        string line = FirewallRules.Normalize(rule.Line);
        return Lines(rule.Table).Count(l => l == line);
    }
}
