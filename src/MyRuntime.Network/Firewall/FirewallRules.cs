using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MyRuntime.Network.Ports;

namespace MyRuntime.Network.Firewall;

/// <summary>The text of our rules (pure: no kernel). Host-wide chains of our own, jumped to from the built-in
/// ones; per network masquerading, isolation and forward accepts; per container the DNATs of its published ports
/// and their forward accepts. Every rule carries a comment starting with "myruntime".</summary>
internal static class FirewallRules
{
    public const string Nat = "nat";
    public const string Filter = "filter";
    public const string Prerouting = "MYRUNTIME-PREROUTING";
    public const string Output = "MYRUNTIME-OUTPUT";
    public const string Postrouting = "MYRUNTIME-POSTROUTING";
    public const string Ports = "MYRUNTIME-PORTS";
    public const string Forward = "MYRUNTIME-FORWARD";
    public const string ChainPrefix = "MYRUNTIME-";
    public const string Comment = "myruntime";

    /// <summary>Our chains, each with its table.</summary>
    public static readonly IReadOnlyList<(string Table, string Chain)> Chains =
    [
        (Nat, Prerouting), (Nat, Output), (Nat, Postrouting), (Nat, Ports), (Filter, Forward),
    ];

    /// <summary>The jumps into our chains (from the built-in chains, and from ours to the ports chain).</summary>
    public static IReadOnlyList<FirewallRule> Base() =>
    [
        new(Nat, "PREROUTING", $"-m addrtype --dst-type LOCAL -m comment --comment {Comment} -j {Prerouting}"),
        new(Nat, "OUTPUT", $"-m addrtype --dst-type LOCAL -m comment --comment {Comment} -j {Output}"),
        new(Nat, "POSTROUTING", $"-m comment --comment {Comment} -j {Postrouting}"),
        new(Nat, Prerouting, $"-m comment --comment {Comment} -j {Ports}"),
        new(Nat, Output, $"-m comment --comment {Comment} -j {Ports}"),
        new(Filter, "FORWARD", $"-m comment --comment {Comment} -j {Forward}", AtTop: true),
    ];

    /// <summary>A network's rules. The isolation block (traffic within the bridge accepted, to another bridge of
    /// ours dropped) goes to the head of the forward chain, above every accept, in this order.</summary>
    public static IReadOnlyList<FirewallRule> Network(string bridge, string subnetCidr)
    {
        CheckBridge(bridge);
        string subnet = NormalizeSubnet(subnetCidr);
        string c = $"-m comment --comment {Comment}:net:{bridge}";
        var rules = new List<FirewallRule>
        {
            new(Nat, Postrouting, $"-s {subnet} ! -o {bridge} {c} -j MASQUERADE"),
            new(Nat, Postrouting, $"-o {bridge} -m addrtype --src-type LOCAL {c} -j MASQUERADE"),
            new(Nat, Postrouting, $"-s {subnet} -o {bridge} -m conntrack --ctstate DNAT {c} -j MASQUERADE"),
            new(Filter, Forward, $"-i {bridge} -o {bridge} {c} -j ACCEPT", AtTop: true),
        };
        if (bridge != "myruntime0")
        {
            rules.Add(new(Filter, Forward, $"-i {bridge} -o myruntime0 {c} -j DROP", AtTop: true));
        }

        rules.Add(new(Filter, Forward, $"-i {bridge} -o mr-+ {c} -j DROP", AtTop: true));
        rules.Add(new(Filter, Forward, $"-i {bridge} {c} -j ACCEPT"));
        rules.Add(new(Filter, Forward, $"-o {bridge} -m conntrack --ctstate RELATED,ESTABLISHED {c} -j ACCEPT"));
        return rules;
    }

    /// <summary>A container's published ports: a DNAT each in the ports chain, and the forward accept to it.</summary>
    public static IReadOnlyList<FirewallRule> PortRules(string containerId, string bridge, IPAddress containerIp, IReadOnlyList<PublishedPort> ports)
    {
        ArgumentNullException.ThrowIfNull(containerIp);
        ArgumentNullException.ThrowIfNull(ports);
        if (containerId.Length == 0 || !containerId.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_'))
        {
            throw new NetworkException($"invalid container id \"{containerId}\" for firewall rules");
        }

        CheckBridge(bridge);
        if (containerIp.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new NetworkException($"container address {containerIp} is not an IPv4 address");
        }

        string c = $"-m comment --comment {Comment}:ctr:{containerId}";
        var rules = new List<FirewallRule>();
        foreach (var p in ports)
        {
            if (p.Protocol is not ("tcp" or "udp"))
            {
                throw new NetworkException($"unsupported protocol \"{p.Protocol}\" (tcp or udp)");
            }

            if (p.HostPort is < 1 or > 65535 || p.ContainerPort is < 1 or > 65535)
            {
                throw new NetworkException($"published port {p.HostPort}:{p.ContainerPort}/{p.Protocol} has no valid host or container port");
            }

            if (!IPAddress.TryParse(p.HostIp, out var hostIp) || hostIp.AddressFamily != AddressFamily.InterNetwork)
            {
                throw new NetworkException($"host address \"{p.HostIp}\" is not an IPv4 address");
            }

            string dest = hostIp.Equals(IPAddress.Any) ? string.Empty : $"-d {hostIp}/32 ";
            string proto = $"-p {p.Protocol} -m {p.Protocol}";
            rules.Add(new(Nat, Ports, $"{dest}{proto} --dport {p.HostPort} {c} -j DNAT --to-destination {containerIp}:{p.ContainerPort}"));
            rules.Add(new(Filter, Forward, $"-d {containerIp}/32 -o {bridge} {proto} --dport {p.ContainerPort} {c} -j ACCEPT"));
        }

        return rules;
    }

    /// <summary>Whether an <c>iptables -S</c> line of a table is ours: a rule in one of our chains or a jump to one.</summary>
    public static bool IsOurs(string line) =>
        line.StartsWith("-A ", StringComparison.Ordinal) &&
        (line.StartsWith("-A " + ChainPrefix, StringComparison.Ordinal) || line.Contains(" -j " + ChainPrefix, StringComparison.Ordinal));

    /// <summary>The line as iptables prints it, without the quotes it may put around comments (legacy and nft
    /// differ there).</summary>
    public static string Normalize(string line) => line.Replace("\"", string.Empty, StringComparison.Ordinal).Trim();

    public static string NormalizeSubnet(string subnetCidr)
    {
        ArgumentNullException.ThrowIfNull(subnetCidr);
        int slash = subnetCidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(subnetCidr[..slash], out var address) || address.AddressFamily != AddressFamily.InterNetwork ||
            !int.TryParse(subnetCidr[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix is < 1 or > 32)
        {
            throw new NetworkException($"invalid subnet \"{subnetCidr}\" (an IPv4 CIDR such as 172.30.0.0/16)");
        }

        byte[] bytes = address.GetAddressBytes();
        uint value = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        uint mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
        uint network = value & mask;
        return $"{network >> 24}.{(network >> 16) & 255}.{(network >> 8) & 255}.{network & 255}/{prefix}";
    }

    private static void CheckBridge(string bridge)
    {
        ArgumentNullException.ThrowIfNull(bridge);
        if (bridge.Length is 0 or > 15 || !bridge.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'))
        {
            throw new NetworkException($"invalid bridge name \"{bridge}\"");
        }
    }
}
