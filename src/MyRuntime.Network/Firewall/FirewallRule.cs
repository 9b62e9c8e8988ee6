namespace MyRuntime.Network.Firewall;

/// <summary>One iptables rule of ours: its table, chain and rule text in the form <c>iptables -S</c> prints it
/// (without the <c>-A CHAIN</c>). <paramref name="AtTop"/> rules go to the head of their chain.</summary>
internal sealed record FirewallRule(string Table, string Chain, string Spec, bool AtTop = false)
{
    /// <summary>The rule as <c>iptables -S</c> and <c>iptables-save</c> list it.</summary>
    public string Line => $"-A {Chain} {Spec}";
}
