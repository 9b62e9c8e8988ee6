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
        cmd.Subcommands.Add(ContainerRmCommand.Build(g));
        cmd.Subcommands.Add(ContainerRmCommand.BuildPrune(g));
        cmd.Subcommands.Add(ContainerInspectCommand.Build(g));
        cmd.Subcommands.Add(ContainerStartCommand.Build(g));
        cmd.Subcommands.Add(ContainerStopCommand.Build(g, restart: false));
        cmd.Subcommands.Add(ContainerStopCommand.Build(g, restart: true));
        cmd.Subcommands.Add(ContainerKillCommand.Build(g));
        cmd.Subcommands.Add(ContainerWaitCommand.Build(g));
        cmd.Subcommands.Add(ContainerPauseCommand.Build(g, pause: true));
        cmd.Subcommands.Add(ContainerPauseCommand.Build(g, pause: false));
        cmd.Subcommands.Add(ContainerRenameCommand.Build(g));
        cmd.Subcommands.Add(ContainerLogsCommand.Build(g));
        cmd.Subcommands.Add(ContainerStatsCommand.Build(g));
        cmd.Subcommands.Add(ContainerTopCommand.Build(g));
        cmd.Subcommands.Add(ContainerPortCommand.Build(g));
        return cmd;
    }
}
