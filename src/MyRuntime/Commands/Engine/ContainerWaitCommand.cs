using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Engine.Lifecycle;

namespace MyRuntime.Commands.Engine;

/// <summary>wait CONTAINER...: blocks until each stops, printing its exit code.</summary>
public static class ContainerWaitCommand
{
    public static Command Build(GlobalOptions g)
    {
        var containers = new Argument<string[]>("container") { Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("wait", "block until one or more containers stop, then print their exit codes") { containers };
        cmd.SetAction(r => EngineCli.ForEach(g, r, r.GetValue(containers)!, (ctx, c) =>
            Console.Out.WriteLine(ContainerStopper.Wait(ctx, ctx.Containers.Find(c)))));
        return cmd;
    }
}
