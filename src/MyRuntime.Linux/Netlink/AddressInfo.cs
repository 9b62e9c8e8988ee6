namespace MyRuntime.Linux.Netlink;

/// <summary>An address on a link (the local address for IPv4) and its prefix length.</summary>
public sealed record AddressInfo(int Index, System.Net.IPAddress Address, int PrefixLength);
