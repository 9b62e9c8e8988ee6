using System.CommandLine;
using System.Text.Json;
using MyRuntime.Cli;
using MyRuntime.Oci;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Commands.Oci;

/// <summary>state ID: the runtime-spec state as JSON.</summary>
public static class StateCommand
{
    public static Command Build(GlobalOptions g)
    {
        var id = new Argument<string>("container-id");
        var cmd = new Command("state", "output the state of a container") { id };
        cmd.SetAction(r => CliRunner.Run(g, r, ctx =>
        {
            var state = new Operations(ctx).State(r.GetValue(id)!);
            Console.Out.WriteLine(JsonSerializer.Serialize(state, OciJson.Indented.State));
            return 0;
        }));
        return cmd;
    }
}
