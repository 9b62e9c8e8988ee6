using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Engine.Lifecycle;

namespace MyRuntime.Commands.Engine;

/// <summary>exec [-d] [-i] [-t] [-e] [-w] [-u] CONTAINER COMMAND [ARG...].</summary>
public static class ContainerExecCommand
{
    public static Command Build(GlobalOptions g)
    {
        var container = new Argument<string>("container");
        var command = new Argument<string[]>("command") { Arity = ArgumentArity.OneOrMore };
        var detach = new Option<bool>("--detach", "-d") { Description = "run the command in the background" };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "keep stdin open" };
        var tty = new Option<bool>("--tty", "-t") { Description = "allocate a pseudo-TTY" };
        var env = new Option<List<string>>("--env", "-e") { Description = "set environment variables" };
        var workdir = new Option<string?>("--workdir", "-w") { Description = "working directory inside the container" };
        var user = new Option<string?>("--user", "-u") { Description = "user name or uid (format: <name|uid>[:<group|gid>])" };
        var privileged = new Option<bool>("--privileged") { Description = "give extended privileges to the command" };
        var cmd = new Command("exec", "execute a command in a running container") { container, command, detach, interactive, tty, env, workdir, user, privileged };
        cmd.SetAction(r => EngineCli.Run(g, r, ctx =>
        {
            var record = ctx.Containers.Find(r.GetValue(container)!);
            int? status = ContainerExec.Exec(ctx, record, new ExecRequest
            {
                Command = r.GetValue(command)!,
                Detach = r.GetValue(detach),
                Interactive = r.GetValue(interactive),
                Tty = r.GetValue(tty),
                Env = r.GetValue(env) ?? [],
                WorkingDir = r.GetValue(workdir),
                User = r.GetValue(user),
                Privileged = r.GetValue(privileged),
            });
            return status ?? 0;
        }, failureCode: 126));
        return cmd;
    }
}
