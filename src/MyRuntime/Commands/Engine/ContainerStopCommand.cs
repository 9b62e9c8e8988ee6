using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Engine.Lifecycle;

namespace MyRuntime.Commands.Engine;

/// <summary>stop [-t N] and restart [-t N]: the stop signal, SIGKILL after N seconds (10 by default).</summary>
public static class ContainerStopCommand
{
    public static Command Build(GlobalOptions g, bool restart)
    {
        var containers = new Argument<string[]>("container") { Arity = ArgumentArity.OneOrMore };
        var time = new Option<int?>("--time", "-t") { Description = "seconds to wait before killing the container" };
        var signal = new Option<string?>("--signal", "-s") { Description = "signal to send (default: the container's stop signal)" };
        var cmd = restart
            ? new Command("restart", "restart one or more containers") { containers, time, signal }
            : new Command("stop", "stop one or more running containers") { containers, time, signal };
        cmd.SetAction(r => EngineCli.ForEach(g, r, r.GetValue(containers)!, (ctx, name) =>
        {
            var record = ctx.Containers.Find(name);
            if (r.GetValue(signal) is { } s)
            {
                record.Settings.StopSignal = Linux.Signals.Parse(s) is null ? throw new MyRuntime.Engine.EngineException($"invalid signal: {s}") : s;
            }

            ContainerStopper.Stop(ctx, record, r.GetValue(time));
            if (restart)
            {
                using (ContainerStarter.Start(ctx, ctx.Containers.Find(record.Id), attach: false, interactive: false))
                {
                }
            }

            Console.Out.WriteLine(name);
        }));
        return cmd;
    }
}
