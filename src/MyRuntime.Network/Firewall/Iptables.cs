using System.Net;
using MyRuntime.Linux;
using MyRuntime.Network.Ports;

namespace MyRuntime.Network.Firewall;

/// <summary>NAT, forwarding, isolation and published ports with iptables, in host-wide chains of our own
/// (MYRUNTIME-*). Each change is one iptables-save and at most one iptables-restore --noflush, serialized
/// host-wide by a lock file; rules that are not ours are never touched.</summary>
public static class Iptables
{
    private const string LockPath = "/run/myruntime-firewall.lock";

    /// <summary>Masquerading, isolation and forward accepts for a bridge network; sets net.ipv4.ip_forward=1 (left
    /// so, as Docker does) and route_localnet on the bridge. Rerunning adds nothing twice.</summary>
    public static void SetUpNetwork(string bridge, string subnetCidr)
    {
        var rules = FirewallRules.Network(bridge, subnetCidr);
        using var hold = Lock();
        Sysctls.EnableForwarding(bridge);
        var state = IptablesTool.Save();
        var script = new RestoreScript();
        EnsureBase(state, script);
        EnsurePresent(state, script, rules);
        IptablesTool.Restore(script);
    }

    /// <summary>Removes a network's rules; when nothing else of ours remains, the jumps and our chains too.</summary>
    public static void TearDownNetwork(string bridge, string subnetCidr)
    {
        var rules = FirewallRules.Network(bridge, subnetCidr);
        using var hold = Lock();
        var state = IptablesTool.Save();
        var script = new RestoreScript();
        DeleteAll(state, script, rules);

        var structural = FirewallRules.Base().Concat(rules).Select(r => FirewallRules.Normalize(r.Line)).ToHashSet();
        bool othersRemain = new[] { FirewallRules.Nat, FirewallRules.Filter }
            .SelectMany(state.Lines)
            .Any(l => FirewallRules.IsOurs(l) && !structural.Contains(l));
        if (!othersRemain)
        {
            DeleteAll(state, script, FirewallRules.Base());
            foreach (var (table, chain) in FirewallRules.Chains)
            {
                if (state.HasChain(table, chain))
                {
                    script.DeleteChain(table, chain);
                }
            }
        }

        IptablesTool.Restore(script);
    }

    /// <summary>DNATs of a container's published ports (host ports picked already) and their forward accepts.</summary>
    public static void AddPorts(string containerId, string bridge, IPAddress containerIp, IReadOnlyList<PublishedPort> ports)
    {
        ChangePorts(FirewallRules.PortRules(containerId, bridge, containerIp, ports), (state, script, rules) =>
        {
            EnsureBase(state, script);
            EnsurePresent(state, script, rules);
        });
    }

    /// <summary>Removes what <see cref="AddPorts"/> added; rules already gone are not an error.</summary>
    public static void RemovePorts(string containerId, string bridge, IPAddress containerIp, IReadOnlyList<PublishedPort> ports)
    {
        ChangePorts(FirewallRules.PortRules(containerId, bridge, containerIp, ports), DeleteAll);
    }

    /// <summary>One change of port rules: under the lock, the current rules read once, one restore.</summary>
    private static void ChangePorts(IReadOnlyList<FirewallRule> rules, Action<IptablesState, RestoreScript, IReadOnlyList<FirewallRule>> plan)
    {
        if (rules.Count == 0)
        {
            return;
        }

        using var hold = Lock();
        var state = IptablesTool.Save();
        var script = new RestoreScript();
        plan(state, script, rules);
        IptablesTool.Restore(script);
    }

    /// <summary>Every rule of ours as <c>iptables -S</c> lists it (nat table first, then filter): the rules in our
    /// chains and the jumps to them.</summary>
    public static IReadOnlyList<string> Rules()
    {
        var state = IptablesTool.Save();
        return [.. new[] { FirewallRules.Nat, FirewallRules.Filter }.SelectMany(state.Lines).Where(FirewallRules.IsOurs)];
    }

    private static FileLock Lock()
    {
        try
        {
            return FileLock.OnFile(LockPath, exclusive: true);
        }
        catch (LinuxException e)
        {
            throw new NetworkException($"cannot lock {LockPath}: {e.Message}", e);
        }
    }

    private static void EnsureBase(IptablesState state, RestoreScript script)
    {
        foreach (var (table, chain) in FirewallRules.Chains)
        {
            if (!state.HasChain(table, chain))
            {
                script.NewChain(table, chain);
            }
        }

        EnsurePresent(state, script, FirewallRules.Base());
    }

    /// <summary>Adds the missing rules. The rules that go to the head of their chain form a block whose order
    /// matters: when one of it is missing, the block is put back whole.</summary>
    private static void EnsurePresent(IptablesState state, RestoreScript script, IReadOnlyList<FirewallRule> rules)
    {
        foreach (var group in rules.Where(r => r.AtTop).GroupBy(r => (r.Table, r.Chain)))
        {
            var block = group.ToList();
            if (block.All(r => state.Count(r) > 0))
            {
                continue;
            }

            DeleteAll(state, script, block);
            for (int i = block.Count - 1; i >= 0; i--)
            {
                script.InsertAtTop(block[i]);
            }
        }

        foreach (var rule in rules.Where(r => !r.AtTop && state.Count(r) == 0))
        {
            script.Append(rule);
        }
    }

    private static void DeleteAll(IptablesState state, RestoreScript script, IEnumerable<FirewallRule> rules)
    {
        foreach (var rule in rules)
        {
            for (int n = state.Count(rule); n > 0; n--)
            {
                script.Delete(rule);
            }
        }
    }
}
