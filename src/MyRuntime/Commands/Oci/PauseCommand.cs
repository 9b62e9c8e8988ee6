using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Commands.Oci;

/// <summary>pause ID and resume ID: freeze and thaw every process of a container (its cgroup freezer).</summary>
public static class PauseCommand
{
    public static Command Build(GlobalOptions g, bool pause)
    {
        var id = new Argument<string>("container-id");
        var cmd = new Command(pause ? "pause" : "resume", pause ? "suspend all processes of a container" : "resume all processes of a paused container") { id };
        cmd.SetAction(r => CliRunner.Run(g, r, ctx =>
        {
            new Operations(ctx).SetPaused(r.GetValue(id)!, pause);
            return 0;
        }));
        return cmd;
    }
}
