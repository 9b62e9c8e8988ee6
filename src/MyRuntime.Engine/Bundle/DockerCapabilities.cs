using MyRuntime.Linux;

namespace MyRuntime.Engine.Bundle;

/// <summary>Docker's default capability set and its adjustment by --cap-add, --cap-drop and --privileged.</summary>
public static class DockerCapabilities
{
    public static readonly IReadOnlyList<string> Defaults =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    /// <summary>Every capability up to <paramref name="lastCap"/> (the kernel's highest) that the bounding set
    /// holds: a process cannot hand on one it lost (a host or sandbox may drop some), so, as podman does,
    /// "all" means all that the engine itself can grant.</summary>
    public static List<string> All(int lastCap, ulong bounding = ulong.MaxValue) =>
        [.. Capabilities.Names.Take(Math.Min(lastCap + 1, Capabilities.Names.Length)).Where((_, i) => (bounding & (1UL << i)) != 0)];

    /// <summary>The resulting set: all with <paramref name="privileged"/>; else the defaults (or all with
    /// <c>--cap-add ALL</c>, or none with <c>--cap-drop ALL</c>), plus the added, minus the dropped.</summary>
    public static List<string> Compute(IEnumerable<string> add, IEnumerable<string> drop, bool privileged, int lastCap, ulong bounding = ulong.MaxValue)
    {
        var all = All(lastCap, bounding);
        if (privileged)
        {
            return all;
        }

        var adds = add.Select(n => Normalize(n, "--cap-add")).ToList();
        var drops = drop.Select(n => Normalize(n, "--cap-drop")).ToList();
        List<string> caps = adds.Contains("ALL") ? [.. all] : drops.Contains("ALL") ? [] : [.. Defaults];
        foreach (string c in adds.Where(c => c != "ALL" && !caps.Contains(c)))
        {
            caps.Add(c);
        }

        if (!adds.Contains("ALL"))
        {
            caps.RemoveAll(c => drops.Contains(c) && !adds.Contains(c));
        }
        else
        {
            caps.RemoveAll(drops.Contains);
        }

        return caps;
    }

    /// <summary>"net_admin", "CAP_NET_ADMIN" → "CAP_NET_ADMIN"; "all" → "ALL"; unknown names are an error.</summary>
    public static string Normalize(string name, string flag)
    {
        string upper = name.Trim().ToUpperInvariant();
        if (upper == "ALL")
        {
            return upper;
        }

        string full = upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper : "CAP_" + upper;
        if (Capabilities.Parse(full) < 0)
        {
            throw new EngineException($"invalid {flag} '{name}': unknown capability");
        }

        return full;
    }
}
