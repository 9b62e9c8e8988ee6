using System.CommandLine;
using System.Globalization;
using MyRuntime.Cli;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Cgroups;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Commands.Oci;

/// <summary>events ID: resource usage as JSON lines; --stats once, else every --interval with "oom" events, until
/// the container stops.</summary>
public static class EventsCommand
{
    public static Command Build(GlobalOptions g)
    {
        var id = new Argument<string>("container-id");
        var stats = new Option<bool>("--stats") { Description = "print the container's stats once and exit" };
        var interval = new Option<string>("--interval") { Description = "how often to report (5s, 500ms, 1m)", DefaultValueFactory = _ => "5s" };
        var cmd = new Command("events", "display container events such as OOM notifications and resource usage") { id, stats, interval };
        cmd.SetAction(r => CliRunner.Run(g, r, ctx =>
        {
            string name = r.GetValue(id)!;
            var ops = new Operations(ctx);
            if (r.GetValue(stats))
            {
                Console.Out.WriteLine(Operations.ToJson(new CgroupEvent { Id = name, Data = ops.Stats(name) }));
                return 0;
            }

            var every = Duration(r.GetValue(interval) ?? "5s");
            ulong ooms = ops.Stats(name).Memory.OomKills;
            while (ops.IsAlive(name))
            {
                var data = ops.Stats(name);
                if (data.Memory.OomKills > ooms)
                {
                    ooms = data.Memory.OomKills;
                    Console.Out.WriteLine(Operations.ToJson(new CgroupEvent { Type = "oom", Id = name }));
                }

                Console.Out.WriteLine(Operations.ToJson(new CgroupEvent { Id = name, Data = data }));
                Console.Out.Flush();
                Thread.Sleep(every);
            }

            return 0;
        }));
        return cmd;
    }

    /// <summary>A Go-style duration: 500ms, 5s, 1m.</summary>
    private static TimeSpan Duration(string text)
    {
        string t = text.Trim();
        (string digits, double unitMs) = t.EndsWith("ms", StringComparison.Ordinal) ? (t[..^2], 1)
            : t.EndsWith('s') ? (t[..^1], 1000) : t.EndsWith('m') ? (t[..^1], 60000) : (t, 1000);
        return double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && n > 0
            ? TimeSpan.FromMilliseconds(n * unitMs)
            : throw new RuntimeException($"invalid --interval '{text}'");
    }
}
