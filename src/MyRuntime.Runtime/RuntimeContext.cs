namespace MyRuntime.Runtime;

/// <summary>What every operation needs: the state root and the log.</summary>
public sealed class RuntimeContext
{
    public const string DefaultRoot = "/run/myruntime";

    public RuntimeContext(string root, IRuntimeLog log)
    {
        Root = Path.GetFullPath(root);
        Log = log;
    }

    public string Root { get; }

    public IRuntimeLog Log { get; }

    /// <summary>The path of this runtime's own binary, which re-executes itself as the container's init.</summary>
    public static string SelfExe { get; } = Environment.ProcessPath ?? "/proc/self/exe";
}
