using System.Collections;
using System.Globalization;
using MyRuntime.Engine.Containers;
using MyRuntime.Engine.Monitor;
using MyRuntime.Linux;
using MyRuntime.Linux.Spawn;
using ContainerStatus = MyRuntime.Engine.Containers.ContainerStatus;

namespace MyRuntime.Engine.Lifecycle;

/// <summary>A container that could not start: Docker's exit code for it (125, 126 or 127) and the reason.</summary>
public sealed class StartFailedException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>start: spawns the container's monitor (our binary, raw-spawned: no managed code runs in a forked
/// child) and waits until it reports the container running, or why it could not start.</summary>
public static class ContainerStarter
{
    /// <summary>Starts a created or exited container. With <paramref name="attach"/> the monitor shares this
    /// command's stdin/stdout/stderr and the returned session reports the exit; without, the monitor's stdio is
    /// /dev/null. Null when the container was running already.</summary>
    public static MonitorSession? Start(EngineContext ctx, ContainerRecord record, bool attach, bool interactive)
    {
        using var launch = Launch(ctx, attach, interactive);
        return launch.Start(record);
    }

    /// <summary>Spawns a monitor that waits for the container to start: run spawns it before it makes the
    /// container, so that the monitor's process start overlaps that work.</summary>
    public static MonitorLaunch Launch(EngineContext ctx, bool attach, bool interactive)
    {
        var (ours, theirs) = Sockets.Pair();
        int devNull = -1;
        try
        {
            if (!attach)
            {
                devNull = Files.Open("/dev/null", Files.O_RDWR);
            }

            string self = EngineContext.SelfPath;
            int pid = Spawner.Start(new SpawnOptions
            {
                Path = self,
                Args = [self, .. ContainerMonitor.Arguments(ctx, theirs, attach, interactive)],
                Env = Environment(),
                Stdin = devNull,
                Stdout = devNull,
                Stderr = devNull,
                Inherit = [theirs],
            });
            Runtime.Timing.Mark("engine: monitor spawned");
            return new MonitorLaunch(ctx, new MonitorChannel(ours), pid, attach, interactive);
        }
        catch
        {
            Files.Close(ours);
            throw;
        }
        finally
        {
            Files.Close(theirs);
            Files.Close(devNull);
        }
    }

    private static List<string> Environment()
    {
        var list = new List<string>();
        foreach (DictionaryEntry e in System.Environment.GetEnvironmentVariables())
        {
            list.Add($"{e.Key}={e.Value}");
        }

        return list;
    }
}

/// <summary>A monitor spawned and waiting for its container. Disposed without <see cref="Start"/> (the container
/// could not be made), it is told to leave and is reaped: nothing of it stays.</summary>
public sealed class MonitorLaunch(EngineContext ctx, MonitorChannel channel, int pid, bool attach, bool interactive) : IDisposable
{
    private bool handedOver;

    /// <summary>Whether the monitor passes this command's stdin to the container.</summary>
    public bool Interactive => interactive;

    /// <summary>Has the monitor start the container; the session once it runs, null when it was running already.</summary>
    public MonitorSession? Start(ContainerRecord record)
    {
        var r = Reconciler.Refresh(ctx, record);
        if (r.State.Status is ContainerStatus.Running or ContainerStatus.Paused)
        {
            return null;
        }

        if (MonitorProcess.IsAlive(r))
        {
            throw new EngineException($"container {r.Name} is being started by another command");
        }

        if (attach && interactive && r.Settings.Tty && !Terminals.IsTerminal(0))
        {
            throw new EngineException("the input device is not a TTY");
        }

        channel.Send($"start {r.Id}");
        string? line = channel.Receive();
        Runtime.Timing.Mark("engine: monitor answered");
        if (line is not null && line.StartsWith("pid ", StringComparison.Ordinal)
            && int.TryParse(line.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out int containerPid))
        {
            handedOver = true;
            return new MonitorSession(ctx, r.Id, channel, pid, containerPid);
        }

        if (line is not null && line.StartsWith("error ", StringComparison.Ordinal))
        {
            string rest = line[6..];
            int space = rest.IndexOf(' ', StringComparison.Ordinal);
            int code = space > 0 && int.TryParse(rest.AsSpan(0, space), CultureInfo.InvariantCulture, out int c) ? c : 125;
            throw new StartFailedException(code, space > 0 ? rest[(space + 1)..] : rest);
        }

        throw new StartFailedException(125, $"the monitor of container {r.Name} ended before the container started");
    }

    public void Dispose()
    {
        if (!handedOver)
        {
            channel.Dispose(); // end of file: the monitor leaves without touching anything
            Processes.WaitForExit(pid);
        }
    }
}

/// <summary>A started container's monitor, as the command that started it sees it.</summary>
public sealed class MonitorSession(EngineContext ctx, string id, MonitorChannel channel, int monitorPid, int containerPid) : IDisposable
{
    private bool reaped;

    /// <summary>The container's init process on the host.</summary>
    public int ContainerPid { get; } = containerPid;

    public int MonitorPid { get; } = monitorPid;

    /// <summary>Tells the monitor this command's terminal changed size.</summary>
    public void Resized() => channel.Send("winch");

    /// <summary>Waits for the container's end as the monitor reports it (after its cleanup, --rm included); its
    /// exit code, and whether the OOM killer ended it.</summary>
    public (int ExitCode, bool Oom) WaitExit()
    {
        while (channel.Receive() is { } line)
        {
            if (line.StartsWith("exit ", StringComparison.Ordinal))
            {
                string[] words = line.Split(' ');
                Reap();
                return (int.Parse(words[1], CultureInfo.InvariantCulture), words.Length > 2 && words[2] == "oom");
            }
        }

        // The monitor died without reporting: the record, reconciled, says what is known.
        Reap();
        try
        {
            var r = Reconciler.Refresh(ctx, ctx.Containers.Find(id));
            return (r.State.Status == ContainerStatus.Exited ? r.State.ExitCode : Reconciler.UnknownExitCode, r.State.OomKilled);
        }
        catch (EngineException)
        {
            return (Reconciler.UnknownExitCode, false);
        }
    }

    private void Reap()
    {
        if (!reaped)
        {
            reaped = true;
            Processes.WaitForExit(MonitorPid);
        }
    }

    public void Dispose() => channel.Dispose();
}
