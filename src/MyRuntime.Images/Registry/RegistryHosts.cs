using System.Net;

namespace MyRuntime.Images.Registry;

/// <summary>How a registry host is reached: HTTPS, except loopback hosts (localhost, 127.0.0.0/8, ::1) and those in
/// MYRUNTIME_INSECURE_REGISTRIES (comma-separated host[:port]), which are spoken to over plain HTTP.</summary>
public static class RegistryHosts
{
    public const string InsecureVariable = "MYRUNTIME_INSECURE_REGISTRIES";

    /// <summary>The host part of host[:port] (brackets of an IPv6 address removed).</summary>
    public static string HostOf(string hostPort)
    {
        if (hostPort.StartsWith('['))
        {
            int close = hostPort.IndexOf(']', StringComparison.Ordinal);
            return close < 0 ? hostPort : hostPort[1..close];
        }

        int colon = hostPort.LastIndexOf(':');
        return colon < 0 ? hostPort : hostPort[..colon];
    }

    public static bool IsLoopback(string hostPort)
    {
        string host = HostOf(hostPort);
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    public static bool IsInsecure(string hostPort)
    {
        string? list = Environment.GetEnvironmentVariable(InsecureVariable);
        if (string.IsNullOrEmpty(list))
        {
            return false;
        }

        foreach (string entry in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (entry.Equals(hostPort, StringComparison.OrdinalIgnoreCase) || entry.Equals(HostOf(hostPort), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether plain HTTP may be used towards this host.</summary>
    public static bool AllowsPlainHttp(string hostPort) => IsLoopback(hostPort) || IsInsecure(hostPort);

    /// <summary>The base URI of the registry's API (<c>https://host/</c>, or http:// when allowed).</summary>
    public static Uri BaseUri(string hostPort) => new($"{(AllowsPlainHttp(hostPort) ? "http" : "https")}://{hostPort}/");
}
