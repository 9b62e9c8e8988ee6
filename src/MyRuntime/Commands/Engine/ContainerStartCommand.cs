using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Engine.Lifecycle;

namespace MyRuntime.Commands.Engine;

/// <summary>start [-a] [-i] CONTAINER...: starts stopped containers, detached (prints each name) or attached to one.</summary>
public static class ContainerStartCommand
{
    public static Command Build(GlobalOptions g)
    {
        var containers = new Argument<string[]>("container") { Arity = ArgumentArity.OneOrMore };
        var attach = new Option<bool>("--attach", "-a") { Description = "attach stdout/stderr and forward signals" };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "attach the container's stdin" };
        var cmd = new Command("start", "start one or more stopped containers") { containers, attach, interactive };
        cmd.SetAction(r =>
        {
            string[] names = r.GetValue(containers)!;
            bool a = r.GetValue(attach), i = r.GetValue(interactive);
            if (a || i)
            {
                if (names.Length > 1)
                {
                    g.LogOf(r).Error("you cannot start and attach multiple containers at once");
                    return 1;
                }

                return EngineCli.Run(g, r, ctx => ContainerRunCommand.RunAttached(ctx, ctx.Containers.Find(names[0]), i));
            }

            return EngineCli.ForEach(g, r, names, (ctx, name) =>
            {
                using (ContainerStarter.Start(ctx, ctx.Containers.Find(name), attach: false, interactive: false))
                {
                }

                Console.Out.WriteLine(name);
            });
        });
        return cmd;
    }
}
