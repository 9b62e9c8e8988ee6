using System.CommandLine;
using MyRuntime.Runtime;

namespace MyRuntime.Cli;

/// <summary>runc's global flags, accepted anywhere on the command line.</summary>
public sealed class GlobalOptions
{
    public Option<string> Root { get; } = new("--root") { Description = "root directory for container state", DefaultValueFactory = _ => RuntimeContext.DefaultRoot, Recursive = true };

    public Option<string?> Log { get; } = new("--log") { Description = "log file for warnings and errors", Recursive = true };

    public Option<string> LogFormat { get; } = new("--log-format") { Description = "log format: text or json", DefaultValueFactory = _ => "text", Recursive = true };

    public Option<string> StorageRoot { get; } = new("--storage-root") { Description = "root directory of the image store (default $MYRUNTIME_STORAGE_ROOT or /var/lib/myruntime)", DefaultValueFactory = _ => MyRuntime.Images.Store.StoreLayout.RootFromEnvironment(), Recursive = true };

    public Option<bool> Debug { get; } = new("--debug") { Description = "print debug output on stderr", Recursive = true };

    public Option<bool> SystemdCgroup { get; } = new("--systemd-cgroup") { Description = "accepted for runc compatibility; cgroupfs is used", Recursive = true, Hidden = true };

    public Option<string?> Rootless { get; } = new("--rootless") { Description = "accepted for runc compatibility", Recursive = true, Hidden = true };

    public Option<string?> Criu { get; } = new("--criu") { Description = "accepted for runc compatibility", Recursive = true, Hidden = true };

    public void AddTo(Command root)
    {
        root.Options.Add(Root);
        root.Options.Add(Log);
        root.Options.Add(LogFormat);
        root.Options.Add(StorageRoot);
        root.Options.Add(Debug);
        root.Options.Add(SystemdCgroup);
        root.Options.Add(Rootless);
        root.Options.Add(Criu);
        LogFormat.AcceptOnlyFromAmong("text", "json");
    }

    public CliLog LogOf(ParseResult r) => new(r.GetValue(Log), r.GetValue(LogFormat) ?? "text", r.GetValue(Debug));

    public RuntimeContext ContextOf(ParseResult r) => new(r.GetValue(Root) ?? RuntimeContext.DefaultRoot, LogOf(r));
}
