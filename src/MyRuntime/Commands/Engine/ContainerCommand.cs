using System.CommandLine;
using MyRuntime.Cli;

namespace MyRuntime.Commands.Engine;

/// <summary>container ls|rm|prune|inspect|start|stop|restart|kill|wait|pause|unpause|rename: Docker's management
/// command group over the same operations as the top-level verbs.</summary>
public static class ContainerCommand
{
    public static Command Build(GlobalOptions g)
    {
        var cmd = new Command("container", "manage containers");
        cmd.Subcommands.Add(ContainerPsCommand.Build(g, "ls"));
        cmd.Subcommands.Add(ContainerRmCommand.BuildPrune(g));
        cmd.Subcommands.Add(ContainerStartCommand.Build(g));
        cmd.Subcommands.Add(ContainerKillCommand.Build(g));
        cmd.Subcommands.Add(ContainerPauseCommand.Build(g, pause: true));
        foreach (var verb in Verbs(g))
        {
            cmd.Subcommands.Add(verb);
        }

        return cmd;
    }

    /// <summary>The engine's verbs that mean the same at the top level and under <c>container</c> (new instances on
    /// each call: a command has one parent).</summary>
    public static IEnumerable<Command> Verbs(GlobalOptions g) =>
    [
        ContainerStopCommand.Build(g, restart: false), ContainerStopCommand.Build(g, restart: true), ContainerRmCommand.Build(g),
        ContainerWaitCommand.Build(g), ContainerPauseCommand.Build(g, pause: false), ContainerRenameCommand.Build(g),
        ContainerInspectCommand.Build(g), ContainerLogsCommand.Build(g), ContainerStatsCommand.Build(g),
        ContainerTopCommand.Build(g), ContainerPortCommand.Build(g),
    ];
}
