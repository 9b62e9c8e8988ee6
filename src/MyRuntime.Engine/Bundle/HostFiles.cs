using System.Text;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Engine.Bundle;

/// <summary>The container's /etc/hostname, /etc/hosts and /etc/resolv.conf: files in its directory, bind-mounted
/// over the image's, as Docker does.</summary>
public static class HostFiles
{
    public static readonly IReadOnlyList<string> Names = ["hostname", "hosts", "resolv.conf"];

    /// <summary>Writes the three files into <paramref name="dir"/> and adds their bind mounts to the spec (a -v
    /// the user gave for one of them wins).</summary>
    public static void Apply(Spec spec, string dir, bool hostNetwork, DnsSettings? dns = null, string hostResolvConf = "/etc/resolv.conf", string hostHosts = "/etc/hosts")
    {
        dns ??= new DnsSettings();
        string hostname = spec.Hostname ?? "localhost";
        Write(Path.Combine(dir, "hostname"), hostname + "\n");
        Write(Path.Combine(dir, "hosts"), hostNetwork && File.Exists(hostHosts)
            ? File.ReadAllText(hostHosts) + string.Concat(dns.ExtraHosts.Select(h => HostLine(h) + "\n"))
            : Hosts(hostname, null, dns.ExtraHosts, []));
        string resolv = ResolvConf(HostResolvConf(hostResolvConf, hostNetwork), hostNetwork);
        Write(Path.Combine(dir, "resolv.conf"), dns.Apply(resolv));
        spec.Mounts ??= [];
        foreach (string name in Names)
        {
            string destination = "/etc/" + name;
            if (spec.Mounts.Any(m => m.Destination == destination))
            {
                continue;
            }

            spec.Mounts.Add(new Mount
            {
                Destination = destination,
                Type = "bind",
                Source = Path.Combine(dir, name),
                Options = ["rbind", "rprivate"],
            });
        }
    }

    /// <summary>The hosts file of a container with its own network: loopback names and its hostname.</summary>
    public static string Hosts(string hostname) => Hosts(hostname, null, [], []);

    /// <summary>The hosts file of a container with its own network: loopback names, the --add-host entries, its
    /// hostname at its address (127.0.1.1 without one), and the other containers of its user-defined network.</summary>
    public static string Hosts(string hostname, string? address, IEnumerable<string> extraHosts, IEnumerable<(string Address, string Name)> peers)
    {
        var b = new StringBuilder()
            .Append("127.0.0.1\tlocalhost\n")
            .Append("::1\tlocalhost ip6-localhost ip6-loopback\n")
            .Append("fe00::0\tip6-localnet\n")
            .Append("ff00::0\tip6-mcastprefix\n")
            .Append("ff02::1\tip6-allnodes\n")
            .Append("ff02::2\tip6-allrouters\n");
        foreach (string extra in extraHosts)
        {
            b.Append(HostLine(extra)).Append('\n');
        }

        b.Append(address ?? "127.0.1.1").Append('\t').Append(hostname).Append('\n');
        foreach (var (peerAddress, name) in peers)
        {
            b.Append(peerAddress).Append('\t').Append(name).Append('\n');
        }

        return b.ToString();
    }

    /// <summary>An --add-host entry (HOST:IP, the IP possibly IPv6) as a hosts line.</summary>
    public static string HostLine(string entry)
    {
        int colon = entry.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? entry : $"{entry[(colon + 1)..]}\t{entry[..colon]}";
    }

    /// <summary>Checks an --add-host argument: HOST:IP.</summary>
    public static void ValidateExtraHost(string entry)
    {
        int colon = entry.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !System.Net.IPAddress.TryParse(entry[(colon + 1)..], out _))
        {
            throw new EngineException($"invalid argument \"{entry}\" for \"--add-host\" flag: want HOST:IP");
        }
    }

    /// <summary>Replaces a file's content in place: the container's bind mount holds its inode, so a rename would
    /// not reach it.</summary>
    public static void Rewrite(string path, string text)
    {
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        stream.Write(bytes);
        stream.SetLength(bytes.Length);
    }

    /// <summary>The host's resolv.conf for a container: loopback nameservers (a host-local resolver the container
    /// cannot reach from its own network) are dropped, unless it shares the host's network.</summary>
    public static string ResolvConf(string host, bool hostNetwork)
    {
        var lines = new List<string>();
        foreach (string line in host.Split('\n'))
        {
            string[] words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (!hostNetwork && words.Length >= 2 && words[0] == "nameserver" && IsLoopback(words[1]))
            {
                continue;
            }

            lines.Add(line);
        }

        string text = string.Join('\n', lines).TrimEnd('\n');
        return text.Length == 0 ? "" : text + "\n";
    }

    /// <summary>The host's resolver settings for a container: its resolv.conf, or, when that names only loopback
    /// nameservers (a local resolver such as systemd-resolved's 127.0.0.53, unreachable from a bridge) and the
    /// local resolver publishes its upstream servers, those (as Docker does).</summary>
    public static string HostResolvConf(string path, bool hostNetwork, string upstream = "/run/systemd/resolve/resolv.conf")
    {
        string text = File.Exists(path) ? File.ReadAllText(path) : "";
        if (hostNetwork || !File.Exists(upstream))
        {
            return text;
        }

        var servers = Nameservers(text);
        return servers.Count > 0 && servers.All(IsLoopback) ? File.ReadAllText(upstream) : text;
    }

    private static List<string> Nameservers(string resolvConf) =>
        [.. resolvConf.Split('\n').Select(l => l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Where(w => w.Length >= 2 && w[0] == "nameserver").Select(w => w[1])];

    private static bool IsLoopback(string address) =>
        address.StartsWith("127.", StringComparison.Ordinal) || address == "::1";

    private static void Write(string path, string text)
    {
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }
}
