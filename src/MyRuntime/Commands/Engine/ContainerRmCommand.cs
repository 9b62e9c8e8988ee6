using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Engine.Lifecycle;

namespace MyRuntime.Commands.Engine;

/// <summary>rm [-f] [-v] CONTAINER... and container prune.</summary>
public static class ContainerRmCommand
{
    public static Command Build(GlobalOptions g, string name = "rm")
    {
        var containers = new Argument<string[]>("container") { Arity = ArgumentArity.OneOrMore };
        var force = new Option<bool>("--force", "-f") { Description = "force the removal of a running container (SIGKILL)" };
        var volumes = new Option<bool>("--volumes", "-v") { Description = "remove anonymous volumes (there are none: accepted for Docker compatibility)" };
        var cmd = new Command(name, "remove one or more containers") { containers, force, volumes };
        cmd.SetAction(r => EngineCli.ForEach(g, r, r.GetValue(containers)!, (ctx, c) =>
        {
            ContainerRemover.Remove(ctx, ctx.Containers.Find(c), r.GetValue(force));
            Console.Out.WriteLine(c);
        }));
        return cmd;
    }

    public static Command BuildPrune(GlobalOptions g)
    {
        var force = new Option<bool>("--force", "-f") { Description = "do not prompt for confirmation" };
        var cmd = new Command("prune", "remove all stopped containers") { force };
        cmd.SetAction(r => EngineCli.Run(g, r, ctx =>
        {
            var removed = ContainerRemover.Prune(ctx);
            if (removed.Count > 0)
            {
                Console.Out.WriteLine("Deleted Containers:");
                removed.ForEach(Console.Out.WriteLine);
                Console.Out.WriteLine();
            }

            Console.Out.WriteLine("Total reclaimed space: 0B");
            return 0;
        }));
        return cmd;
    }
}
