namespace MyRuntime.Cli;

/// <summary>One binary, two faces. The verbs both have (create, start, run, kill, ps, exec, pause) mean runc's when
/// the command line carries a flag only runc's CLI has, before the container id: a global --root, --log,
/// --log-format, --systemd-cgroup, --rootless or --criu (engines such as podman and containerd always pass --root),
/// or create/run's --bundle/-b, --pid-file, --console-socket, --preserve-fds, --no-pivot, --no-new-keyring.
/// Otherwise they are Docker's.</summary>
public static class CliMode
{
    /// <summary>The verbs whose meaning depends on the face.</summary>
    public static readonly IReadOnlySet<string> SharedVerbs = new HashSet<string> { "create", "start", "run", "kill", "ps", "exec", "pause" };

    private static readonly HashSet<string> GlobalMarkers = ["--root", "--log", "--log-format", "--systemd-cgroup", "--rootless", "--criu"];

    private static readonly HashSet<string> CommandMarkers = ["--bundle", "-b", "--pid-file", "--console-socket", "--preserve-fds", "--no-pivot", "--no-new-keyring"];

    /// <summary>Global options of either face that take a value (so that their value is not taken for the verb).</summary>
    private static readonly HashSet<string> GlobalWithValue = ["--root", "--log", "--log-format", "--storage-root", "--runroot", "--rootless", "--criu"];

    /// <summary>True when the command line is the OCI runtime's (runc's) rather than the engine's (Docker's).</summary>
    public static bool IsOci(IReadOnlyList<string> args)
    {
        int i = 0;
        bool oci = false;
        for (; i < args.Count; i++)
        {
            string a = args[i];
            if (!a.StartsWith('-'))
            {
                break;
            }

            string flag = a.Split('=')[0];
            oci |= GlobalMarkers.Contains(flag);
            if (GlobalWithValue.Contains(flag) && !a.Contains('=', StringComparison.Ordinal))
            {
                i++;
            }
        }

        if (oci || i >= args.Count)
        {
            return oci;
        }

        for (int j = i + 1; j < args.Count && args[j].StartsWith('-'); j++)
        {
            string flag = args[j].Split('=')[0];
            if (CommandMarkers.Contains(flag) || GlobalMarkers.Contains(flag))
            {
                return true;
            }
        }

        return false;
    }
}
