using MyRuntime.Engine.Containers;
using MyRuntime.Linux;
using ContainerStatus = MyRuntime.Engine.Containers.ContainerStatus;

namespace MyRuntime.Engine.Lifecycle;

/// <summary>rm and container prune: a container's record, log, bundle, snapshot and runtime state, all of it.</summary>
public static class ContainerRemover
{
    public static void Remove(EngineContext ctx, ContainerRecord record, bool force)
    {
        var r = Reconciler.Refresh(ctx, record);
        if (r.State.Status is ContainerStatus.Running or ContainerStatus.Paused || (r.State.Status == ContainerStatus.Created && MonitorProcess.IsAlive(r)))
        {
            if (!force)
            {
                string what = r.State.Status == ContainerStatus.Paused ? "paused" : "running";
                throw new EngineException($"cannot remove container \"{r.Name}\": container is {what}: stop the container before removing or force remove");
            }

            try
            {
                ContainerStopper.Kill(ctx, r, Signals.SIGKILL);
            }
            catch (EngineException)
            {
                // it ended meanwhile
            }

            if (!ContainerStopper.WaitStopped(ctx, r, 30_000))
            {
                throw new EngineException($"container {r.Name} did not stop after SIGKILL");
            }
        }

        RemoveStopped(ctx, r.Id, r.SnapshotId);
    }

    /// <summary>Removes a container that has no process (its monitor's end, --rm, or rm).</summary>
    public static void RemoveStopped(EngineContext ctx, string id, string snapshotId)
    {
        Reconciler.Release(ctx, id, snapshotId);
        Runtime.Timing.Mark("remove: released");
        if (snapshotId.Length > 0)
        {
            ctx.Snapshots.Remove(snapshotId);
        }

        Runtime.Timing.Mark("remove: snapshot removed");

        try
        {
            ctx.Containers.Remove(id);
        }
        catch (EngineException)
        {
            // removed by someone else meanwhile
        }
    }

    /// <summary>Removes every container that is not running; their ids.</summary>
    public static List<string> Prune(EngineContext ctx)
    {
        Reconciler.SweepAbandoned(ctx);
        var removed = new List<string>();
        foreach (var record in ctx.Containers.List())
        {
            var r = Reconciler.Refresh(ctx, record);
            if (r.State.Status is ContainerStatus.Exited || (r.State.Status == ContainerStatus.Created && !MonitorProcess.IsAlive(r)))
            {
                RemoveStopped(ctx, r.Id, r.SnapshotId);
                removed.Add(r.Id);
            }
        }

        return removed;
    }
}
