using System.Globalization;

namespace MyRuntime.Network.Ports;

/// <summary>Docker's <c>-p</c> syntax: <c>[[HOSTIP:]HOSTPORT:]CONTAINERPORT[/PROTO]</c>, where either port may be
/// a range <c>FIRST-LAST</c> (the host range as long as the container's), HOSTIP an IPv4 address, PROTO tcp or
/// udp; an empty or missing host port is picked at start.</summary>
public static class PortSpec
{
    public static IReadOnlyList<PublishedPort> Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string rest = spec;
        string protocol = "tcp";
        int slash = rest.LastIndexOf('/');
        if (slash >= 0)
        {
            protocol = rest[(slash + 1)..];
            rest = rest[..slash];
            if (protocol is not ("tcp" or "udp"))
            {
                throw Invalid(spec, $"unsupported protocol \"{protocol}\" (tcp or udp)");
            }
        }

        if (rest.Contains('[', StringComparison.Ordinal) || rest.Count(c => c == ':') > 2)
        {
            throw Invalid(spec, "IPv6 host addresses are not supported");
        }

        string[] parts = rest.Split(':');
        string hostIp = "0.0.0.0";
        string hostPart = string.Empty;
        string containerPart = parts[^1];
        if (parts.Length == 3)
        {
            hostIp = ParseIp(spec, parts[0]);
        }

        if (parts.Length >= 2)
        {
            hostPart = parts[^2];
        }

        if (containerPart.Length == 0)
        {
            throw Invalid(spec, "no container port");
        }

        var (cFirst, cLast) = ParseRange(spec, containerPart, "container port");
        int count = cLast - cFirst + 1;
        int hFirst = 0;
        if (hostPart.Length > 0)
        {
            var (first, last) = ParseRange(spec, hostPart, "host port");
            if (last - first + 1 != count)
            {
                throw Invalid(spec, $"the host port range {hostPart} and the container port range {containerPart} differ in length");
            }

            hFirst = first;
        }

        var ports = new List<PublishedPort>(count);
        for (int i = 0; i < count; i++)
        {
            ports.Add(new PublishedPort(hostIp, hFirst == 0 ? 0 : hFirst + i, cFirst + i, protocol));
        }

        return ports;
    }

    private static string ParseIp(string spec, string text)
    {
        string[] octets = text.Split('.');
        if (octets.Length != 4 || octets.Any(o => o.Length is 0 or > 3 || !o.All(char.IsAsciiDigit) || int.Parse(o, CultureInfo.InvariantCulture) > 255))
        {
            throw Invalid(spec, $"\"{text}\" is not an IPv4 address");
        }

        return string.Join('.', octets.Select(o => int.Parse(o, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)));
    }

    private static (int First, int Last) ParseRange(string spec, string text, string what)
    {
        int dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            int port = ParsePort(spec, text, what);
            return (port, port);
        }

        int first = ParsePort(spec, text[..dash], what);
        int last = ParsePort(spec, text[(dash + 1)..], what);
        if (last < first)
        {
            throw Invalid(spec, $"the {what} range {text} ends before it starts");
        }

        return (first, last);
    }

    private static int ParsePort(string spec, string text, string what)
    {
        if (text.Length is 0 or > 5 || !text.All(char.IsAsciiDigit))
        {
            throw Invalid(spec, $"\"{text}\" is not a valid {what}");
        }

        int port = int.Parse(text, CultureInfo.InvariantCulture);
        if (port is < 1 or > 65535)
        {
            throw Invalid(spec, $"{what} {port} is out of range (1-65535)");
        }

        return port;
    }

    private static NetworkException Invalid(string spec, string reason) => new($"invalid published port \"{spec}\": {reason}");
}
