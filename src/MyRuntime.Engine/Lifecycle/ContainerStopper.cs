using MyRuntime.Engine.Containers;
using MyRuntime.Linux;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Container;
using ContainerStatus = MyRuntime.Engine.Containers.ContainerStatus;

namespace MyRuntime.Engine.Lifecycle;

/// <summary>stop, kill and wait of the engine's containers.</summary>
public static class ContainerStopper
{
    /// <summary>The stop signal, then SIGKILL after <paramref name="timeoutSeconds"/> (the container's own timeout
    /// when null); returns once the container is recorded as exited. A container that is not running is left as is.</summary>
    public static void Stop(EngineContext ctx, ContainerRecord record, int? timeoutSeconds)
    {
        var r = Reconciler.Refresh(ctx, record);
        if (r.State.Status is not (ContainerStatus.Running or ContainerStatus.Paused))
        {
            return;
        }

        int signal = Signals.Parse(r.Settings.StopSignal ?? "SIGTERM") ?? Signals.SIGTERM;
        int timeout = timeoutSeconds ?? r.Settings.StopTimeout;
        if (timeout < 0)
        {
            WaitStopped(ctx, r, -1);
            return;
        }

        var ops = new Operations(ctx.Runtime);
        TrySignal(ops, r, signal, all: false);
        if (!WaitStopped(ctx, r, timeout * 1000))
        {
            TrySignal(ops, r, Signals.SIGKILL, all: true);
            if (!WaitStopped(ctx, r, 30_000))
            {
                throw new EngineException($"container {r.Name} did not stop after SIGKILL");
            }
        }
    }

    /// <summary>Sends a signal to the container's main process (Docker's kill).</summary>
    public static void Kill(EngineContext ctx, ContainerRecord record, int signal)
    {
        var r = Reconciler.Refresh(ctx, record);
        if (r.State.Status is not (ContainerStatus.Running or ContainerStatus.Paused))
        {
            throw new EngineException($"Cannot kill container: {r.Name}: container {r.Id} is not running");
        }

        TrySignal(new Operations(ctx.Runtime), r, signal, all: signal == Signals.SIGKILL);
    }

    /// <summary>Blocks until the container is recorded as exited; its exit code.</summary>
    public static int Wait(EngineContext ctx, ContainerRecord record)
    {
        while (true)
        {
            var r = Reconciler.Refresh(ctx, record);
            if (r.State.Status == ContainerStatus.Exited)
            {
                return r.State.ExitCode;
            }

            if (!WaitStopped(ctx, r, 1000))
            {
                continue;
            }

            record = ctx.Containers.Find(r.Id);
        }
    }

    /// <summary>Waits until the container's process and its monitor have ended and the record says so (or the
    /// record is gone: auto-removed); false on timeout (-1: none).</summary>
    public static bool WaitStopped(EngineContext ctx, ContainerRecord r, int timeoutMs)
    {
        long deadline = timeoutMs < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMs;
        var ops = new Operations(ctx.Runtime);
        while (true)
        {
            int left = timeoutMs < 0 ? -1 : (int)Math.Max(0, deadline - Environment.TickCount64);
            if (MonitorProcess.IsAlive(r))
            {
                if (!MonitorProcess.WaitExit(r, left))
                {
                    return false;
                }
            }
            else if (ops.IsAlive(r.Id))
            {
                if (left == 0)
                {
                    return false;
                }

                Thread.Sleep(20);
                continue;
            }

            ContainerRecord current;
            try
            {
                current = ctx.Containers.Find(r.Id);
            }
            catch (EngineException)
            {
                return true; // removed (--rm)
            }

            current = Reconciler.Refresh(ctx, current);
            if (current.State.Status is ContainerStatus.Exited or ContainerStatus.Created)
            {
                return true;
            }

            if (Environment.TickCount64 >= deadline)
            {
                return false;
            }

            r = current;
            Thread.Sleep(20);
        }
    }

    private static void TrySignal(Operations ops, ContainerRecord r, int signal, bool all)
    {
        try
        {
            if (r.State.Status == ContainerStatus.Paused)
            {
                ops.Kill(r.Id, signal, all);
                ops.SetPaused(r.Id, false);
            }
            else
            {
                ops.Kill(r.Id, signal, all);
            }
        }
        catch (RuntimeException)
        {
            // it ended meanwhile
        }
    }
}
