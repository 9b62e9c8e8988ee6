using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Linux;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Commands.Oci;

/// <summary>kill [--all] ID [SIGNAL]: SIGTERM unless a signal is named (by name or number).</summary>
public static class KillCommand
{
    public static Command Build(GlobalOptions g)
    {
        var id = new Argument<string>("container-id");
        var signal = new Argument<string>("signal") { DefaultValueFactory = _ => "SIGTERM" };
        var all = new Option<bool>("--all", "-a") { Description = "send the signal to every process of the container" };
        var cmd = new Command("kill", "send a signal to a container's init process") { id, signal, all };
        cmd.SetAction(r => CliRunner.Run(g, r, ctx =>
        {
            string name = r.GetValue(signal) ?? "SIGTERM";
            int sig = Signals.Parse(name) ?? throw new RuntimeException($"unknown signal \"{name}\"");
            new Operations(ctx).Kill(r.GetValue(id)!, sig, r.GetValue(all));
            return 0;
        }));
        return cmd;
    }
}
