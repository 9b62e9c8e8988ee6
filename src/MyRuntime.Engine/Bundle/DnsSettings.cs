using System.Net;

namespace MyRuntime.Engine.Bundle;

/// <summary>--dns, --dns-search, --dns-option and --add-host: what replaces the host's resolver settings in the
/// container's /etc/resolv.conf, and the extra /etc/hosts entries.</summary>
public sealed record DnsSettings
{
    public IReadOnlyList<string> Servers { get; init; } = [];

    public IReadOnlyList<string> Search { get; init; } = [];

    public IReadOnlyList<string> Options { get; init; } = [];

    public IReadOnlyList<string> ExtraHosts { get; init; } = [];

    public void Validate()
    {
        foreach (string server in Servers)
        {
            if (!IPAddress.TryParse(server, out _))
            {
                throw new EngineException($"{server} is not an ip address (--dns)");
            }
        }

        foreach (string host in ExtraHosts)
        {
            HostFiles.ValidateExtraHost(host);
        }
    }

    /// <summary>The resolv.conf derived from the host's: each of nameserver, search and options lines replaced
    /// when given (as Docker does).</summary>
    public string Apply(string resolvConf)
    {
        if (Servers.Count == 0 && Search.Count == 0 && Options.Count == 0)
        {
            return resolvConf;
        }

        var lines = new List<string>();
        foreach (string line in resolvConf.Split('\n'))
        {
            string first = line.Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            if (first == "nameserver" && Servers.Count > 0 || first is "search" or "domain" && Search.Count > 0 || first == "options" && Options.Count > 0)
            {
                continue;
            }

            if (line.Length > 0)
            {
                lines.Add(line);
            }
        }

        if (Search.Count > 0)
        {
            lines.Add("search " + string.Join(' ', Search));
        }

        lines.AddRange(Servers.Select(s => "nameserver " + s));
        if (Options.Count > 0)
        {
            lines.Add("options " + string.Join(' ', Options));
        }

        return string.Join('\n', lines) + "\n";
    }
}
