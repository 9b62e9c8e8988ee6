using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Engine;
using MyRuntime.Engine.Lifecycle;
using MyRuntime.Engine.Stats;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Commands.Engine;

/// <summary>top CONTAINER: the processes of a running container (its cgroup's), as docker top prints them.</summary>
public static class ContainerTopCommand
{
    public static Command Build(GlobalOptions g)
    {
        var container = new Argument<string>("container");
        var cmd = new Command("top", "display the running processes of a container") { container };
        cmd.SetAction(r => EngineCli.Run(g, r, ctx =>
        {
            var record = Reconciler.Refresh(ctx, ctx.Containers.Find(r.GetValue(container)!));
            if (record.State.Status is not (MyRuntime.Engine.Containers.ContainerStatus.Running or MyRuntime.Engine.Containers.ContainerStatus.Paused))
            {
                throw new EngineException($"container {record.Name} is not running");
            }

            var ops = new Operations(ctx.Runtime);
            var pids = ops.Pids(ops.Store.Load(record.Id));
            Console.Out.Write(ProcessTable.Format(ProcessTable.List(pids)));
            return 0;
        }));
        return cmd;
    }
}
