using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Commands.Oci;

/// <summary>create ID: the container process set up and waiting for start.</summary>
public static class CreateCommand
{
    public static Command Build(GlobalOptions g)
    {
        var f = new CreateFlags();
        var cmd = new Command("create", "create a container");
        f.AddTo(cmd);
        cmd.SetAction(r => CliRunner.Run(g, r, ctx =>
        {
            Creator.Create(ctx, f.Options(r));
            return 0;
        }));
        return cmd;
    }
}

/// <summary>The flags create and run share.</summary>
public sealed class CreateFlags
{
    public Argument<string> Id { get; } = new("container-id");

    public Option<string> Bundle { get; } = new("--bundle", "-b") { Description = "path to the bundle directory", DefaultValueFactory = _ => "." };

    public Option<string?> PidFile { get; } = new("--pid-file") { Description = "file to write the container process's pid to" };

    public Option<string?> ConsoleSocket { get; } = new("--console-socket") { Description = "unix socket that receives the pty master" };

    public Option<bool> NoPivot { get; } = new("--no-pivot") { Description = "move the root instead of pivot_root (for ramdisks)" };

    public Option<int> PreserveFds { get; } = new("--preserve-fds") { Description = "number of extra descriptors (from 3) to pass to the container" };

    public Option<bool> NoNewKeyring { get; } = new("--no-new-keyring") { Description = "accepted for runc compatibility", Hidden = true };

    public void AddTo(Command cmd)
    {
        cmd.Arguments.Add(Id);
        cmd.Options.Add(Bundle);
        cmd.Options.Add(PidFile);
        cmd.Options.Add(ConsoleSocket);
        cmd.Options.Add(NoPivot);
        cmd.Options.Add(PreserveFds);
        cmd.Options.Add(NoNewKeyring);
    }

    public CreateOptions Options(ParseResult r, bool allocateConsole = false) => new()
    {
        AllocateConsole = allocateConsole,
        Id = r.GetValue(Id)!,
        Bundle = r.GetValue(Bundle) ?? ".",
        PidFile = r.GetValue(PidFile),
        ConsoleSocket = r.GetValue(ConsoleSocket),
        NoPivot = r.GetValue(NoPivot),
        PreserveFds = r.GetValue(PreserveFds),
    };
}
