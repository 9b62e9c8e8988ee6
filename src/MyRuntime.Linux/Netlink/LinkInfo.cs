namespace MyRuntime.Linux.Netlink;

/// <summary>A network link as the kernel reports it: Kind is the IFLA_INFO_KIND ("bridge", "veth", null for
/// plain devices such as lo), MasterIndex 0 when the link has no master, Up is the administrative IFF_UP flag.</summary>
public sealed record LinkInfo(int Index, string Name, string? Kind, int MasterIndex, bool Up);
