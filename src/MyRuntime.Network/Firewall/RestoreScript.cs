using System.Text;

namespace MyRuntime.Network.Firewall;

/// <summary>The input of one <c>iptables-restore --noflush</c>: commands for the nat and filter tables, each
/// table committed at its end.</summary>
internal sealed class RestoreScript
{
    private readonly List<string> nat = [];
    private readonly List<string> filter = [];

    public bool IsEmpty => nat.Count == 0 && filter.Count == 0;

    /// <summary>Declares a chain. With --noflush a declaration flushes an existing chain, so only chains known to be
    /// missing are declared.</summary>
    public void NewChain(string table, string chain) => For(table).Add($":{chain} - [0:0]");

    public void Append(FirewallRule rule) => For(rule.Table).Add($"-A {rule.Chain} {rule.Spec}");

    public void InsertAtTop(FirewallRule rule) => For(rule.Table).Add($"-I {rule.Chain} 1 {rule.Spec}");

    public void Delete(FirewallRule rule) => For(rule.Table).Add($"-D {rule.Chain} {rule.Spec}");

    public void DeleteChain(string table, string chain) => For(table).Add($"-X {chain}");

    public string Text()
    {
        var text = new StringBuilder();
        foreach (var (name, lines) in new[] { ("nat", nat), ("filter", filter) })
        {
            if (lines.Count == 0)
            {
                continue;
            }

            text.Append('*').Append(name).Append('\n');
            foreach (string line in lines)
            {
                text.Append(line).Append('\n');
            }

            text.Append("COMMIT\n");
        }

        return text.ToString();
    }

    private List<string> For(string table) => table switch
    {
        FirewallRules.Nat => nat,
        FirewallRules.Filter => filter,
        _ => throw new ArgumentException($"unknown table {table}", nameof(table)),
    };
}
