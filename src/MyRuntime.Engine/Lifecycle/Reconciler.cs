using MyRuntime.Engine.Containers;
using MyRuntime.Images;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Container;
using ContainerStatus = MyRuntime.Engine.Containers.ContainerStatus;

namespace MyRuntime.Engine.Lifecycle;

/// <summary>Brings a record in line with the kernel: while its monitor lives the record is the monitor's to keep;
/// once the monitor is gone (killed, or the host restarted), a container whose process has ended is marked exited
/// and its runtime state, cgroups and rootfs mount are released. The status returned shows a frozen container as
/// paused.</summary>
public static class Reconciler
{
    public const int UnknownExitCode = 255;

    public static ContainerRecord Refresh(EngineContext ctx, ContainerRecord r)
    {
        var ops = new Operations(ctx.Runtime);
        if (MonitorProcess.IsAlive(r))
        {
            return WithLiveStatus(ops, r);
        }

        bool stateKept = ops.Store.TryLoad(r.Id, out var state);
        if (stateKept && LiveStatus.IsInitAlive(state))
        {
            // The monitor is gone but the container runs on: it is running, unmonitored, until stop or rm.
            return WithLiveStatus(ops, r);
        }

        if (r.State.MonitorPid == 0 && !stateKept && r.State.Status is ContainerStatus.Created or ContainerStatus.Exited)
        {
            return r;
        }

        Release(ctx, r.Id, r.SnapshotId);
        try
        {
            return ctx.Containers.Update(r.Id, x =>
            {
                if (x.State.MonitorPid != r.State.MonitorPid || x.State.MonitorStartTime != r.State.MonitorStartTime)
                {
                    return; // a new monitor took over meanwhile
                }

                if (x.State.Status is ContainerStatus.Running or ContainerStatus.Paused)
                {
                    x.State.Status = ContainerStatus.Exited;
                    x.State.ExitCode = UnknownExitCode;
                    x.State.FinishedAt = DateTimeOffset.UtcNow;
                    x.State.Error = "the container's monitor ended before the container did: its exit status is unknown";
                }

                x.State.Pid = 0;
                x.State.MonitorPid = 0;
                x.State.MonitorStartTime = 0;
                x.State.Network = null;
            });
        }
        catch (EngineException)
        {
            return r; // removed meanwhile
        }
    }

    /// <summary>Removes what containers whose making was interrupted (SIGKILL in `create` or `run`) left: runtime
    /// state, network lease, snapshot (named by the container id), record and name. Such containers are never listed.</summary>
    public static void SweepAbandoned(EngineContext ctx)
    {
        foreach (string id in ctx.Containers.Abandoned())
        {
            Release(ctx, id, id);
            try
            {
                ctx.Snapshots.Remove(id);
            }
            catch (Exception e) when (e is ImagesException or IOException)
            {
                ctx.Log.Warn($"container {id}: {e.Message}");
            }

            ctx.Containers.RemoveAbandoned(id);
        }
    }

    /// <summary>Releases what a stopped container holds on the host: its runtime state and cgroups, its rootfs mount.</summary>
    public static void Release(EngineContext ctx, string id, string snapshotId)
    {
        var ops = new Operations(ctx.Runtime);
        try
        {
            if (ops.Store.TryLoad(id, out _))
            {
                ops.Delete(id, force: true);
            }
        }
        catch (RuntimeException)
        {
            // deleted by someone else meanwhile
        }

        Networking.ContainerNetworking.Detach(ctx, id);

        if (snapshotId.Length > 0)
        {
            try
            {
                ctx.Snapshots.Release(snapshotId);
            }
            catch (ImagesException e)
            {
                ctx.Log.Warn($"container {id}: {e.Message}");
            }
        }
    }

    private static ContainerRecord WithLiveStatus(Operations ops, ContainerRecord r)
    {
        if (r.State.Status is ContainerStatus.Running or ContainerStatus.Paused && ops.Store.TryLoad(r.Id, out var s))
        {
            string live = LiveStatus.Of(s, ops.Store);
            r.State.Status = live == MyRuntime.Runtime.Container.ContainerStatus.Paused ? ContainerStatus.Paused : ContainerStatus.Running;
        }

        return r;
    }
}
