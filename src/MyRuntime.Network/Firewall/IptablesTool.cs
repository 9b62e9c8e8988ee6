using MyRuntime.Linux;
using MyRuntime.Linux.Spawn;

namespace MyRuntime.Network.Firewall;

/// <summary>Runs iptables-save and iptables-restore (found in /usr/sbin or /sbin: PATH may lack them).</summary>
internal static class IptablesTool
{
    public static IptablesState Save()
    {
        var (code, stdout, stderr) = Run("iptables-save", [], null);
        if (code != 0)
        {
            throw Failure("iptables-save", code, stderr);
        }

        return IptablesState.Parse(stdout);
    }

    public static void Restore(RestoreScript script)
    {
        if (script.IsEmpty)
        {
            return;
        }

        var (code, _, stderr) = Run("iptables-restore", ["-w", "--noflush"], script.Text());
        if (code != 0)
        {
            throw Failure("iptables-restore", code, stderr);
        }
    }

    private static (int, string, string) Run(string program, IReadOnlyList<string> args, string? stdin)
    {
        string path = Find(program);
        try
        {
            return ProgramRunner.Run(path, args, stdin);
        }
        catch (LinuxException e)
        {
            throw new NetworkException($"{program}: {e.Message}", e);
        }
    }

    private static string Find(string program)
    {
        foreach (string dir in new[] { "/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin", "/bin" })
        {
            string path = Path.Combine(dir, program);
            if (Files.IsExecutable(path))
            {
                return path;
            }
        }

        throw new NetworkException($"{program} not found in /usr/sbin or /sbin (install the iptables package)");
    }

    private static NetworkException Failure(string program, int code, string stderr)
    {
        string? first = stderr.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        return new NetworkException(first ?? $"{program} failed with exit status {code}");
    }
}
