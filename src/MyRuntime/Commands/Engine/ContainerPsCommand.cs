using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MyRuntime.Cli;
using MyRuntime.Engine.Containers;
using MyRuntime.Engine.Lifecycle;

namespace MyRuntime.Commands.Engine;

/// <summary>ps [-a] [-q] [--no-trunc] [--format table|json]: the containers, each reconciled with the kernel first.</summary>
public static class ContainerPsCommand
{
    public static Command Build(GlobalOptions g, string name = "ps")
    {
        var all = new Option<bool>("--all", "-a") { Description = "show all containers (default shows just running)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "only display container ids" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "do not truncate output" };
        var format = new Option<string>("--format") { Description = "table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var cmd = new Command(name, "list containers") { all, quiet, noTrunc, format };
        if (name == "ls")
        {
            cmd.Aliases.Add("list");
            cmd.Aliases.Add("ps");
        }

        cmd.SetAction(r => EngineCli.Run(g, r, ctx =>
        {
            var now = DateTimeOffset.UtcNow;
            Reconciler.SweepAbandoned(ctx);
            var records = ctx.Containers.List().Select(x => Reconciler.Refresh(ctx, x))
                .Where(x => r.GetValue(all) || x.State.Status is ContainerStatus.Running or ContainerStatus.Paused)
                .OrderByDescending(x => x.Created).ToList();
            bool full = r.GetValue(noTrunc);
            if (r.GetValue(quiet))
            {
                records.ForEach(x => Console.Out.WriteLine(full ? x.Id : x.Id[..12]));
                return 0;
            }

            if (r.GetValue(format) == "json")
            {
                using var stdout = Console.OpenStandardOutput();
                foreach (var x in records)
                {
                    WriteJson(stdout, x, now);
                }

                return 0;
            }

            var rows = new List<string[]> { new[] { "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES" } };
            foreach (var x in records)
            {
                string command = string.Join(' ', x.Command);
                if (!full && command.Length > 20)
                {
                    command = command[..19] + "…";
                }

                rows.Add([full ? x.Id : x.Id[..12], x.Image, $"\"{command}\"", HumanTime.Duration(now - x.Created) + " ago", Status(x, now), Ports(x), x.Name]);
            }

            Table.Write(rows);
            return 0;
        }));
        return cmd;
    }

    /// <summary>Docker's ports column: 0.0.0.0:8080->80/tcp, ...</summary>
    public static string Ports(ContainerRecord x) =>
        string.Join(", ", (x.State.Network?.Ports ?? []).Select(p => $"{p.HostIp}:{p.HostPort}->{p.ContainerPort}/{p.Protocol}"));

    /// <summary>Docker's status column: Created, Up 5 seconds, Up 5 seconds (Paused), Exited (0) 3 seconds ago.</summary>
    public static string Status(ContainerRecord x, DateTimeOffset now) => x.State.Status switch
    {
        ContainerStatus.Running => "Up " + HumanTime.Duration(now - (x.State.StartedAt ?? now)),
        ContainerStatus.Paused => "Up " + HumanTime.Duration(now - (x.State.StartedAt ?? now)) + " (Paused)",
        ContainerStatus.Exited => string.Create(CultureInfo.InvariantCulture, $"Exited ({x.State.ExitCode}) {HumanTime.Duration(now - (x.State.FinishedAt ?? now))} ago"),
        _ => "Created",
    };

    private static void WriteJson(Stream stdout, ContainerRecord x, DateTimeOffset now)
    {
        using (var w = new Utf8JsonWriter(stdout))
        {
            w.WriteStartObject();
            w.WriteString("Command", "\"" + string.Join(' ', x.Command) + "\"");
            w.WriteString("CreatedAt", x.Created.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
            w.WriteString("ID", x.Id);
            w.WriteString("Image", x.Image);
            w.WriteString("Labels", string.Join(',', x.Labels.Select(kv => kv.Key + "=" + kv.Value)));
            w.WriteString("Names", x.Name);
            w.WriteString("Ports", Ports(x));
            w.WriteString("RunningFor", HumanTime.Duration(now - x.Created) + " ago");
            w.WriteString("State", x.State.Status.ToString().ToLowerInvariant());
            w.WriteString("Status", Status(x, now));
            w.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
    }
}
