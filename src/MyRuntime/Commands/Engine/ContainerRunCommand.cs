using System.CommandLine;
using System.Runtime.InteropServices;
using MyRuntime.Cli;
using MyRuntime.Commands.Images;
using MyRuntime.Engine;
using MyRuntime.Engine.Containers;
using MyRuntime.Engine.Lifecycle;
using MyRuntime.Images.Pull;
using MyRuntime.Linux;

namespace MyRuntime.Commands.Engine;

/// <summary>Docker's run and create: a container from an image (pulled when missing), then for run its start,
/// attached in the foreground (signals forwarded, its exit status returned) or detached (-d prints its id).</summary>
public static class ContainerRunCommand
{
    private static readonly int[] Forwarded =
    [
        Signals.SIGINT, Signals.SIGTERM, Signals.SIGHUP, Signals.SIGQUIT, Signals.SIGUSR1, Signals.SIGUSR2,
    ];

    public static Command BuildRun(GlobalOptions g)
    {
        var f = new RunFlags();
        var detach = new Option<bool>("--detach", "-d") { Description = "run the container in the background and print its id" };
        var cmd = new Command("run", "create and run a new container from an image");
        f.AddTo(cmd);
        cmd.Options.Add(detach);
        cmd.SetAction(r => EngineCli.Run(g, r, ctx =>
        {
            var request = f.Request(r);
            bool detached = r.GetValue(detach);
            bool interactive = request.Settings.OpenStdin && !detached;

            // The monitor's process starts while the container is made; disposed unused, it leaves.
            using var launch = ContainerStarter.Launch(ctx, attach: !detached, interactive);
            var record = Create(ctx, request);
            if (detached)
            {
                using (launch.Start(record))
                {
                }

                Console.Out.WriteLine(record.Id);
                return 0;
            }

            return RunAttached(ctx, record, launch);
        }, failureCode: 125));
        return cmd;
    }

    public static Command BuildCreate(GlobalOptions g)
    {
        var f = new RunFlags();
        var cmd = new Command("create", "create a new container from an image");
        f.AddTo(cmd);
        cmd.SetAction(r => EngineCli.Run(g, r, ctx =>
        {
            var record = Create(ctx, f.Request(r));

            // A created container holds no mount until it starts (its monitor mounts the snapshot again).
            ctx.Snapshots.Release(record.SnapshotId);
            Console.Out.WriteLine(record.Id);
            return 0;
        }, failureCode: 125));
        return cmd;
    }

    private static ContainerRecord Create(EngineContext ctx, CreateRequest request)
    {
        // A pull's progress is shown on a terminal; in scripts stderr carries only errors.
        IPullProgress progress = Console.IsErrorRedirected ? new SilentProgress() : new PullProgressView(terminal: true, Console.Error);
        Action<string>? onPull = Console.IsErrorRedirected ? null : line => Console.Error.WriteLine(line);
        return ContainerFactory.Create(ctx, request, progress, onPull);
    }

    /// <summary>start -a: as <see cref="RunAttached(EngineContext, ContainerRecord, MonitorLaunch)"/> with a new monitor.</summary>
    public static int RunAttached(EngineContext ctx, ContainerRecord record, bool interactive)
    {
        using var launch = ContainerStarter.Launch(ctx, attach: true, interactive);
        return RunAttached(ctx, record, launch);
    }

    /// <summary>Starts attached and waits: the terminal goes raw for -it, signals are forwarded to the container,
    /// SIGWINCH resizes its pty; the container's exit status is returned.</summary>
    public static int RunAttached(EngineContext ctx, ContainerRecord record, MonitorLaunch launch)
    {
        bool rawTerminal = record.Settings.Tty && launch.Interactive && Terminals.IsTerminal(0);
        byte[]? saved = rawTerminal ? Terminals.MakeRaw(0) : null;
        var registrations = new List<PosixSignalRegistration>();
        try
        {
            using var session = launch.Start(record);
            if (session is null)
            {
                throw new EngineException($"container {record.Name} is running already");
            }

            foreach (int sig in Forwarded)
            {
                registrations.Add(PosixSignalRegistration.Create((PosixSignal)sig, c =>
                {
                    c.Cancel = true;
                    Processes.Kill(session.ContainerPid, sig);
                }));
            }

            if (record.Settings.Tty)
            {
                registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => session.Resized()));
            }

            var (code, oom) = session.WaitExit();
            if (oom)
            {
                Console.Error.WriteLine($"myruntime: container {record.Name} was killed by the OOM killer (memory limit reached)");
            }

            return code;
        }
        finally
        {
            registrations.ForEach(x => x.Dispose());
            if (saved is not null)
            {
                Terminals.Restore(0, saved);
            }
        }
    }
}
