using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Engine;
using MyRuntime.Engine.Lifecycle;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Commands.Engine;

/// <summary>pause and unpause: every process of the container frozen or thawed through its cgroup.</summary>
public static class ContainerPauseCommand
{
    public static Command Build(GlobalOptions g, bool pause)
    {
        var containers = new Argument<string[]>("container") { Arity = ArgumentArity.OneOrMore };
        var cmd = new Command(pause ? "pause" : "unpause", pause ? "pause all processes within one or more containers" : "unpause all processes within one or more containers") { containers };
        cmd.SetAction(r => EngineCli.ForEach(g, r, r.GetValue(containers)!, (ctx, c) =>
        {
            var record = Reconciler.Refresh(ctx, ctx.Containers.Find(c));
            var status = record.State.Status;
            if (pause && status != MyRuntime.Engine.Containers.ContainerStatus.Running)
            {
                throw new EngineException($"container {record.Name} is not running");
            }

            if (!pause && status != MyRuntime.Engine.Containers.ContainerStatus.Paused)
            {
                throw new EngineException($"container {record.Name} is not paused");
            }

            new Operations(ctx.Runtime).SetPaused(record.Id, pause);
            Console.Out.WriteLine(c);
        }));
        return cmd;
    }
}
