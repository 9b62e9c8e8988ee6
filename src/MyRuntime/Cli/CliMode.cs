using MyRuntime.Images.Store;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Cli;

/// <summary>One binary, two faces. The verbs both have (create, start, run, kill, ps, exec, pause) mean runc's when
/// the command line carries a flag only runc's CLI has, before the container id: a global --root, --log,
/// --log-format, --systemd-cgroup, --rootless or --criu (engines such as podman and containerd always pass --root),
/// or create/run's --bundle/-b, --pid-file, --console-socket, --preserve-fds, --no-pivot, --no-new-keyring.
/// Without such a flag (podman calls `start ID`, `kill ID 15`, `pause ID` bare), they are runc's when an argument
/// names a container of the runtime's default root that is not one of the engine's. Otherwise they are Docker's.</summary>
public static class CliMode
{
    /// <summary>The verbs whose meaning depends on the face.</summary>
    public static readonly IReadOnlySet<string> SharedVerbs = new HashSet<string> { "create", "start", "run", "kill", "ps", "exec", "pause" };

    private static readonly HashSet<string> GlobalMarkers = ["--root", "--log", "--log-format", "--systemd-cgroup", "--rootless", "--criu"];

    private static readonly HashSet<string> CommandMarkers = ["--bundle", "-b", "--pid-file", "--console-socket", "--preserve-fds", "--no-pivot", "--no-new-keyring"];

    /// <summary>Global options of either face that take a value (so that their value is not taken for the verb).</summary>
    private static readonly HashSet<string> GlobalWithValue = ["--root", "--log", "--log-format", "--storage-root", "--runroot", "--rootless", "--criu"];

    /// <summary>True when the command line is the OCI runtime's (runc's) rather than the engine's (Docker's).</summary>
    public static bool IsOci(IReadOnlyList<string> args) =>
        IsOci(args, id => RuntimeOnlyContainer(id, ValueOf(args, "--storage-root"), ValueOf(args, "--runroot")));

    /// <summary>As <see cref="IsOci(IReadOnlyList{string})"/>, with the test "is this argument a container of the
    /// runtime that the engine does not know" given.</summary>
    public static bool IsOci(IReadOnlyList<string> args, Func<string, bool> runtimeOnlyContainer)
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

        if (!SharedVerbs.Contains(args[i]))
        {
            return false;
        }

        for (int j = i + 1; j < args.Count; j++)
        {
            if (!args[j].StartsWith('-') && runtimeOnlyContainer(args[j]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A container id with runtime state under the default root and no engine record: one that runc's face
    /// created (an engine's container has both).</summary>
    private static bool RuntimeOnlyContainer(string arg, string? storageRoot, string? runRoot)
    {
        if (arg.Length == 0 || arg.Contains('/', StringComparison.Ordinal) || arg is "." or "..")
        {
            return false;
        }

        runRoot ??= Environment.GetEnvironmentVariable("MYRUNTIME_RUNROOT") is { Length: > 0 } r ? r : RuntimeContext.DefaultRoot;
        string engineRecord = Path.Combine(storageRoot ?? StoreLayout.RootFromEnvironment(), "containers", arg);
        return (File.Exists(Path.Combine(RuntimeContext.DefaultRoot, arg, StateStore.StateFile))
                || File.Exists(Path.Combine(runRoot, arg, StateStore.StateFile)))
            && !Directory.Exists(engineRecord);
    }

    /// <summary>The value of a global option given as "--name value" or "--name=value" anywhere.</summary>
    private static string? ValueOf(IReadOnlyList<string> args, string name)
    {
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == name && i + 1 < args.Count)
            {
                return args[i + 1];
            }

            if (args[i].StartsWith(name + "=", StringComparison.Ordinal))
            {
                return args[i][(name.Length + 1)..];
            }
        }

        return null;
    }
}
