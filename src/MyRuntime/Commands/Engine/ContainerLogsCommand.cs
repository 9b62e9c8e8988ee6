using System.CommandLine;
using System.Globalization;
using MyRuntime.Cli;
using MyRuntime.Engine;
using MyRuntime.Engine.Containers;
using MyRuntime.Engine.Lifecycle;
using MyRuntime.Engine.Logs;

namespace MyRuntime.Commands.Engine;

/// <summary>logs [-f] [--tail N] [-t] [--since] [--until] CONTAINER: the container's output from its log file,
/// stdout to stdout and stderr to stderr.</summary>
public static class ContainerLogsCommand
{
    public static Command Build(GlobalOptions g)
    {
        var container = new Argument<string>("container");
        var follow = new Option<bool>("--follow", "-f") { Description = "follow log output" };
        var tail = new Option<string>("--tail", "-n") { Description = "number of lines to show from the end of the logs (or all)", DefaultValueFactory = _ => "all" };
        var timestamps = new Option<bool>("--timestamps", "-t") { Description = "show timestamps" };
        var since = new Option<string?>("--since") { Description = "show logs since a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)" };
        var until = new Option<string?>("--until") { Description = "show logs before a timestamp or relative time" };
        var cmd = new Command("logs", "fetch the logs of a container") { container, follow, tail, timestamps, since, until };
        cmd.SetAction(r => EngineCli.Run(g, r, ctx =>
        {
            var record = ctx.Containers.Find(r.GetValue(container)!);
            var now = DateTimeOffset.UtcNow;
            string tailText = r.GetValue(tail)!;
            int? lines = tailText == "all" ? null
                : int.TryParse(tailText, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n
                : throw new EngineException($"invalid --tail \"{tailText}\": a number of lines or all");
            var options = new LogReadOptions
            {
                Tail = lines,
                Follow = r.GetValue(follow),
                Timestamps = r.GetValue(timestamps),
                Since = r.GetValue(since) is { } s ? JsonLogReader.ParseSince(s, now) : null,
                Until = r.GetValue(until) is { } u ? JsonLogReader.ParseSince(u, now, "--until") : null,
            };
            using var stdout = Console.OpenStandardOutput();
            using var stderr = Console.OpenStandardError();
            JsonLogReader.Print(ctx.LogPath(record.Id), options, stdout, stderr, () => IsRunning(ctx, record.Id), CancellationToken.None);
            return 0;
        }));
        return cmd;
    }

    private static bool IsRunning(EngineContext ctx, string id)
    {
        try
        {
            var r = Reconciler.Refresh(ctx, ctx.Containers.Find(id));
            return r.State.Status is ContainerStatus.Running or ContainerStatus.Paused || MonitorProcess.IsAlive(r);
        }
        catch (EngineException)
        {
            return false;
        }
    }
}
