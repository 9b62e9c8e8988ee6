using System.CommandLine;
using MyRuntime.Cli;

namespace MyRuntime.Commands.Engine;

/// <summary>rename CONTAINER NEW_NAME.</summary>
public static class ContainerRenameCommand
{
    public static Command Build(GlobalOptions g)
    {
        var container = new Argument<string>("container");
        var name = new Argument<string>("new-name");
        var cmd = new Command("rename", "rename a container") { container, name };
        cmd.SetAction(r => EngineCli.Run(g, r, ctx =>
        {
            ctx.Containers.Rename(ctx.Containers.Find(r.GetValue(container)!).Id, r.GetValue(name)!);
            return 0;
        }));
        return cmd;
    }
}
