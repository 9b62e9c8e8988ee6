using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Commands.Oci;

/// <summary>delete [--force] ID: remove a container and everything it held.</summary>
public static class DeleteCommand
{
    public static Command Build(GlobalOptions g)
    {
        var id = new Argument<string>("container-id");
        var force = new Option<bool>("--force", "-f") { Description = "kill the container first if it is running" };
        var cmd = new Command("delete", "delete a container") { id, force };
        cmd.SetAction(r => CliRunner.Run(g, r, ctx =>
        {
            new Operations(ctx).Delete(r.GetValue(id)!, r.GetValue(force));
            return 0;
        }));
        return cmd;
    }
}
