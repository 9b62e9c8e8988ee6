using System.CommandLine;
using System.Globalization;
using MyRuntime.Cli;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Commands.Oci;

/// <summary>list: the containers under --root, as a table, ids only (-q) or JSON.</summary>
public static class ListCommand
{
    public static Command Build(GlobalOptions g)
    {
        var format = new Option<string>("--format", "-f") { Description = "table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print only container ids" };
        var cmd = new Command("list", "list containers") { format, quiet };
        cmd.SetAction(r => CliRunner.Run(g, r, ctx =>
        {
            var list = new Operations(ctx).List();
            if (r.GetValue(quiet))
            {
                foreach (var c in list)
                {
                    Console.Out.WriteLine(c.Id);
                }
            }
            else if (r.GetValue(format) == "json")
            {
                Console.Out.WriteLine(Operations.ToJson(list));
            }
            else
            {
                var rows = new List<string[]> { new[] { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" } };
                rows.AddRange(list.Select(c => new[]
                {
                    c.Id, c.Pid.ToString(CultureInfo.InvariantCulture), c.Status, c.Bundle,
                    c.Created.ToString("o", CultureInfo.InvariantCulture), c.Owner,
                }));
                Table.Write(rows);
            }

            return 0;
        }));
        return cmd;
    }
}
