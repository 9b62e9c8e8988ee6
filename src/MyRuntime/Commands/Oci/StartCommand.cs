using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Commands.Oci;

/// <summary>start ID: run the user program of a created container.</summary>
public static class StartCommand
{
    public static Command Build(GlobalOptions g)
    {
        var id = new Argument<string>("container-id");
        var cmd = new Command("start", "start a created container") { id };
        cmd.SetAction(r => CliRunner.Run(g, r, ctx =>
        {
            new Operations(ctx).Start(r.GetValue(id)!);
            return 0;
        }));
        return cmd;
    }
}
