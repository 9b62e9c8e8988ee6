using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MyRuntime.Cli;
using MyRuntime.Linux;
using MyRuntime.Oci;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Commands.Oci;

/// <summary>ps ID: the processes of a container (host pids), as a table or a JSON array of pids.</summary>
public static class PsCommand
{
    public static Command Build(GlobalOptions g)
    {
        var id = new Argument<string>("container-id");
        var psArgs = new Argument<string[]>("ps-args") { Arity = ArgumentArity.ZeroOrMore };
        var format = new Option<string>("--format", "-f") { Description = "table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var cmd = new Command("ps", "list the processes running in a container") { id, psArgs, format };
        cmd.SetAction(r => CliRunner.Run(g, r, ctx =>
        {
            var ops = new Operations(ctx);
            var state = ops.Store.Load(r.GetValue(id)!);
            var pids = ops.Pids(state);
            if (r.GetValue(format) == "json")
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(pids, OciJson.Default.ListInt32));
                return 0;
            }

            var rows = new List<string[]> { new[] { "PID", "CMD" } };
            rows.AddRange(pids.Select(p => new[] { p.ToString(CultureInfo.InvariantCulture), ProcFs.CommandLine(p) }));
            Table.Write(rows);
            return 0;
        }));
        return cmd;
    }
}
