using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Engine.Lifecycle;
using MyRuntime.Linux;

namespace MyRuntime.Commands.Engine;

/// <summary>kill [-s SIGNAL] CONTAINER...: a signal (SIGKILL by default) to each container's main process.</summary>
public static class ContainerKillCommand
{
    public static Command Build(GlobalOptions g)
    {
        var containers = new Argument<string[]>("container") { Arity = ArgumentArity.OneOrMore };
        var signal = new Option<string>("--signal", "-s") { Description = "signal to send", DefaultValueFactory = _ => "KILL" };
        var cmd = new Command("kill", "kill one or more running containers") { containers, signal };
        cmd.SetAction(r =>
        {
            string text = r.GetValue(signal)!;
            if (Signals.Parse(text) is not { } sig)
            {
                g.LogOf(r).Error($"invalid signal: {text}");
                return 1;
            }

            return EngineCli.ForEach(g, r, r.GetValue(containers)!, (ctx, name) =>
            {
                ContainerStopper.Kill(ctx, ctx.Containers.Find(name), sig);
                Console.Out.WriteLine(name);
            });
        });
        return cmd;
    }
}
