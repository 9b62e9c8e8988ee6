using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Engine;
using MyRuntime.Engine.Containers;
using MyRuntime.Engine.Lifecycle;
using MyRuntime.Engine.Stats;

namespace MyRuntime.Commands.Engine;

/// <summary>stats [--no-stream] [-a] [CONTAINER...]: CPU %, memory usage / limit and %, network and block IO, pids;
/// a table redrawn each second, or printed once with --no-stream (after a one-second sample for CPU %).</summary>
public static class ContainerStatsCommand
{
    public static Command Build(GlobalOptions g)
    {
        var containers = new Argument<string[]>("container") { Arity = ArgumentArity.ZeroOrMore };
        var noStream = new Option<bool>("--no-stream") { Description = "disable streaming stats and only pull the first result" };
        var all = new Option<bool>("--all", "-a") { Description = "show all containers (default shows just running)" };
        var cmd = new Command("stats", "display a live stream of container resource usage statistics") { containers, noStream, all };
        cmd.SetAction(r => EngineCli.Run(g, r, ctx =>
        {
            string[] names = r.GetValue(containers) ?? [];
            var records = names.Length > 0
                ? names.Select(ctx.Containers.Find).ToList()
                : ctx.Containers.List().Select(x => Reconciler.Refresh(ctx, x))
                    .Where(x => r.GetValue(all) || x.State.Status is ContainerStatus.Running or ContainerStatus.Paused).ToList();
            var samplers = new Dictionary<string, StatsSampler>();
            bool stream = !r.GetValue(noStream);
            bool terminal = !Console.IsOutputRedirected;
            Sample(ctx, records, samplers);
            if (!stream)
            {
                Thread.Sleep(1000);
                Console.Out.Write(StatsTable.Format(Sample(ctx, records, samplers)));
                return 0;
            }

            while (true)
            {
                Thread.Sleep(1000);
                var rows = Sample(ctx, records, samplers);
                Console.Out.Write((terminal ? "\u001b[2J\u001b[H" : "") + StatsTable.Format(rows));
                Console.Out.Flush();
            }
        }));
        return cmd;
    }

    private static List<StatsRow> Sample(EngineContext ctx, List<ContainerRecord> records, Dictionary<string, StatsSampler> samplers)
    {
        var rows = new List<StatsRow>();
        foreach (var record in records)
        {
            StatsFigures? figures = null;
            try
            {
                var r = Reconciler.Refresh(ctx, ctx.Containers.Find(record.Id));
                if (r.State.Status is ContainerStatus.Running or ContainerStatus.Paused)
                {
                    if (!samplers.TryGetValue(r.Id, out var sampler) || sampler.InitPid != r.State.Pid)
                    {
                        sampler = StatsSampler.ForContainer(ctx.Runtime, r.Id, r.State.Pid);
                        samplers[r.Id] = sampler;
                    }

                    figures = sampler.Sample();
                }
            }
            catch (EngineException)
            {
                // removed or stopped meanwhile: shown as --
            }

            rows.Add(new StatsRow(record.Id, record.Name, figures));
        }

        return rows;
    }
}
