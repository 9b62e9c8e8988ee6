using System.Text.Json;
using MyRuntime.Linux;
using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime.Hooks;

namespace MyRuntime.Runtime.Container;

/// <summary>start, state, kill, delete, list and ps of existing containers.</summary>
public sealed class Operations
{
    private readonly RuntimeContext ctx;
    private readonly StateStore store;

    public Operations(RuntimeContext ctx)
    {
        this.ctx = ctx;
        store = new StateStore(ctx.Root);
    }

    public StateStore Store => store;

    public State State(string id)
    {
        var s = store.Load(id);
        return s.ToOciState(LiveStatus.Of(s, store));
    }

    /// <summary>Lets a created container's init exec the user program, then runs the poststart hooks.</summary>
    public void Start(string id)
    {
        ContainerState s;
        using (store.Lock(id))
        {
            s = store.Load(id);
            Release(s);
        }

        RunPoststart(s);
    }

    /// <summary>Start for the caller that holds the container's state already (run, right after create).</summary>
    public void Start(ContainerState s)
    {
        using (store.Lock(s.Id))
        {
            Release(s);
        }

        RunPoststart(s);
    }

    private void Release(ContainerState s)
    {
        string status = LiveStatus.Of(s, store);
        if (status != ContainerStatus.Created)
        {
            throw new RuntimeException(status == ContainerStatus.Stopped
                ? "cannot start a container that has stopped"
                : "cannot start an already running container");
        }

        ReleaseFifo(s);
    }

    /// <summary>
    /// Runs the poststart hooks. As the spec's lifecycle says, a failing one is logged as a warning and
    /// the remaining hooks and the container carry on as if it had succeeded.
    /// </summary>
    private void RunPoststart(ContainerState s) =>
        HookRunner.RunAllWarning("poststart", s.Config.Hooks?.Poststart, s.ToOciState(ContainerStatus.Running), ctx.Log.Warn);

    /// <summary>Opens the exec FIFO for reading, which unblocks init; reads its byte and removes the FIFO.</summary>
    private void ReleaseFifo(ContainerState s)
    {
        string fifo = store.FifoOf(s.Id);
        int fd = Files.Open(fifo, Files.O_RDONLY | Files.O_NONBLOCK);
        try
        {
            Span<byte> b = stackalloc byte[1];
            long deadline = Environment.TickCount64 + 30_000;
            while (true)
            {
                // Opening our end unblocks init's open for writing; its byte then makes the FIFO readable. A FIFO
                // that no writer has opened yet polls as not ready, so this waits without spinning.
                if (Processes.WaitReadable(fd, 50))
                {
                    int n = Files.TryRead(fd, b);
                    if (n == 1)
                    {
                        break;
                    }

                    if (n == 0)
                    {
                        throw new RuntimeException("container init closed the exec FIFO without starting");
                    }
                }

                if (!LiveStatus.IsInitAlive(s) || Environment.TickCount64 > deadline)
                {
                    throw new RuntimeException("container init is not waiting to start (it exited)");
                }
            }
        }
        finally
        {
            Files.Close(fd);
        }

        File.Delete(fifo);
    }

    /// <summary>Freezes (pause) or thaws (resume) every process of a running container through its cgroup.</summary>
    public void SetPaused(string id, bool paused)
    {
        using (store.Lock(id))
        {
            var s = store.Load(id);
            string status = LiveStatus.Of(s, store);
            string wanted = paused ? ContainerStatus.Running : ContainerStatus.Paused;
            if (status != wanted)
            {
                throw new RuntimeException(paused ? $"container {id} is not running ({status})" : $"container {id} is not paused ({status})");
            }

            var cgroup = Cgroups.Cgroup.Open(s.Cgroup) ?? throw new RuntimeException($"container {id} has no cgroup");
            SignalMarker.Clear(store, id);
            cgroup.Freeze(paused);
        }
    }

    /// <summary>Changes the limits of a created, running or paused container; the state keeps the merged limits.</summary>
    public void Update(string id, Oci.RuntimeSpec.LinuxResources changes)
    {
        using (store.Lock(id))
        {
            var s = store.Load(id);
            if (LiveStatus.Of(s, store) == ContainerStatus.Stopped)
            {
                throw new RuntimeException($"container {id} is not running");
            }

            var cgroup = Cgroups.Cgroup.Open(s.Cgroup) ?? throw new RuntimeException($"container {id} has no cgroup");
            var linux = s.Config.Linux ??= new Oci.RuntimeSpec.LinuxSection();
            if (changes.Cpu is { Quota: > 0, Period: null } cpu)
            {
                // A new quota alone keeps the period in force: the container's, else the kernel's default.
                cpu.Period = linux.Resources?.Cpu?.Period ?? 100_000;
            }

            Cgroups.Cgroup.Validate(changes);
            var merged = Cgroups.ResourceMerge.Merge(linux.Resources, changes);
            Cgroups.Cgroup.Validate(merged);
            var applied = Cgroups.Devices.DeviceRules.WithDefaults(changes, linux.Devices) ?? changes;
            if (applied.Memory is { } memory)
            {
                memory.CheckBeforeUpdate = merged.Memory?.CheckBeforeUpdate; // given at create, it holds for every update
            }
            if (cgroup.Join(applied, linux.CgroupsPath, id))
            {
                s.Cgroup = new Dictionary<string, string>(cgroup.Dirs);
                store.Save(s); // delete must find the new directory even if applying the rest fails
            }

            cgroup.Apply(applied);
            linux.Resources = merged;
            store.Save(s);
        }
    }

    /// <summary>The resource usage of a container that has not stopped.</summary>
    public Cgroups.CgroupStats Stats(string id)
    {
        var s = store.Load(id);
        if (LiveStatus.Of(s, store) == ContainerStatus.Stopped)
        {
            throw new RuntimeException("container not running");
        }

        return (Cgroups.Cgroup.Open(s.Cgroup) ?? throw new RuntimeException($"container {id} has no cgroup")).Stats();
    }

    /// <summary>How many times the OOM killer killed a process of the container, running or stopped (its cgroup
    /// outlives its processes until delete): what an engine reports as "OOM-killed".</summary>
    public long OomKills(string id) => Cgroups.Cgroup.Open(store.Load(id).Cgroup)?.OomKills() ?? 0;

    /// <summary>True while the container's init has not exited.</summary>
    public bool IsAlive(string id) => store.TryLoad(id, out var s) && LiveStatus.IsInitAlive(s);

    public static string ToJson(Cgroups.CgroupEvent e) => JsonSerializer.Serialize(e, RuntimeJson.Default.CgroupEvent);

    public void Kill(string id, int signal, bool all)
    {
        using (store.Lock(id))
        {
            var s = store.Load(id);
            if (LiveStatus.Of(s, store) == ContainerStatus.Stopped)
            {
                throw new RuntimeException("container not running");
            }

            if (all && Cgroups.Cgroup.Open(s.Cgroup) is { } cgroup && cgroup.Pids().Count > 0)
            {
                using var marker = SignalMarker.Hold(store, id);
                cgroup.Signal(signal);
            }
            else if (all)
            {
                foreach (int pid in Pids(s))
                {
                    Processes.Kill(pid, signal);
                }
            }
            else if (!Processes.Kill(s.Pid, signal))
            {
                throw new RuntimeException("container not running");
            }
        }
    }

    /// <summary>Removes a container: stopped ones always, created ones by killing them, running ones with force; with
    /// force, an unknown id (or what a create killed half-way left) is no error, as runc.</summary>
    public void Delete(string id, bool force)
    {
        if (force && store.GoneOrAbandoned(id))
        {
            return;
        }

        ContainerState s;
        using (store.Lock(id))
        {
            s = store.Load(id);
            Remove(s, force);
        }

        RunPoststop(s);
    }

    /// <summary>Delete for the caller that holds the container's state already (a foreground run at its end).</summary>
    public void Delete(ContainerState s, bool force)
    {
        using (store.Lock(s.Id))
        {
            // An update meanwhile may have added cgroup directories (v1 hierarchies joined late).
            if (store.TryLoad(s.Id, out var saved))
            {
                s.Cgroup = saved.Cgroup;
            }

            Remove(s, force);
        }

        RunPoststop(s);
    }

    private void Remove(ContainerState s, bool force)
    {
        string status = LiveStatus.Of(s, store);
        if (status is ContainerStatus.Running or ContainerStatus.Paused && !force)
        {
            throw new RuntimeException($"cannot delete container {s.Id} that is not stopped: {status}");
        }

        if (status != ContainerStatus.Stopped)
        {
            KillAndWait(s);
        }

        Timing.Mark("delete: cgroup begin");
        Cgroups.Cgroup.Open(s.Cgroup)?.Destroy();
        Cgroups.CgroupParents.Remove(s.CgroupParents);
        Timing.Mark("delete: cgroup removed");
        store.Remove(s.Id);
    }

    /// <summary>Runs the poststop hooks; a failing one is logged as a warning and the others still run.</summary>
    private void RunPoststop(ContainerState s) =>
        HookRunner.RunAllWarning("poststop", s.Config.Hooks?.Poststop, s.ToOciState(ContainerStatus.Stopped), ctx.Log.Warn);

    private void KillAndWait(ContainerState s)
    {
        var cgroup = Cgroups.Cgroup.Open(s.Cgroup);
        if (cgroup?.IsFrozen() == true)
        {
            cgroup.Freeze(false); // a frozen process cannot act on SIGKILL
        }

        if (cgroup is not null && cgroup.Pids().Count > 0)
        {
            using var marker = SignalMarker.Hold(store, s.Id);
            cgroup.Signal(Signals.SIGKILL);
        }
        else
        {
            foreach (int pid in Pids(s))
            {
                Processes.Kill(pid, Signals.SIGKILL);
            }
        }

        int pidfd = Processes.PidfdOpen(s.Pid);
        try
        {
            long deadline = Environment.TickCount64 + 10_000;
            while (LiveStatus.IsInitAlive(s) && Environment.TickCount64 < deadline)
            {
                if (pidfd >= 0)
                {
                    Processes.WaitReadable(pidfd, 100);
                }
                else
                {
                    Thread.Sleep(5);
                }
            }
        }
        finally
        {
            Files.Close(pidfd);
        }

        if (LiveStatus.IsInitAlive(s))
        {
            throw new RuntimeException($"container {s.Id} did not exit after SIGKILL");
        }
    }

    /// <summary>The host pids of the container's processes: its cgroup's, or (without one) everything in its mount
    /// namespace (which every container has of its own, and which exec'd processes join).</summary>
    public List<int> Pids(ContainerState s)
    {
        if (!LiveStatus.IsInitAlive(s))
        {
            return [];
        }

        if (Cgroups.Cgroup.Open(s.Cgroup) is { } cgroup)
        {
            var inCgroup = cgroup.Pids();
            if (inCgroup.Count > 0)
            {
                return inCgroup;
            }
        }

        ulong ns = Namespaces.Inode($"/proc/{s.Pid}/ns/mnt");
        if (ns == 0 || ns == Namespaces.Inode("/proc/self/ns/mnt"))
        {
            return [s.Pid];
        }

        var pids = ProcFs.PidsInNamespace("mnt", ns);
        return pids.Contains(s.Pid) ? pids : [s.Pid, .. pids];
    }

    public List<ContainerSummary> List()
    {
        var result = new List<ContainerSummary>();
        foreach (string id in store.Ids())
        {
            if (!store.TryLoad(id, out var s))
            {
                continue;
            }

            string status = LiveStatus.Of(s, store);
            result.Add(new ContainerSummary
            {
                Id = s.Id,
                Pid = status == ContainerStatus.Stopped ? 0 : s.Pid,
                Status = status,
                Bundle = s.Bundle,
                Rootfs = s.Rootfs,
                Created = s.Created,
                Owner = s.Owner == 0 ? "root" : s.Owner.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Annotations = s.Config.Annotations,
            });
        }

        return result;
    }

    public static string ToJson(List<ContainerSummary> list) => JsonSerializer.Serialize(list, RuntimeJson.Default.ListContainerSummary);
}

/// <summary>One row of `list`, with runc's JSON field names.</summary>
public sealed class ContainerSummary
{
    [System.Text.Json.Serialization.JsonPropertyName("ociVersion")]
    public string OciVersion { get; set; } = SpecVersion.Current;

    public string Id { get; set; } = string.Empty;

    public int Pid { get; set; }

    public string Status { get; set; } = string.Empty;

    public string Bundle { get; set; } = string.Empty;

    public string Rootfs { get; set; } = string.Empty;

    public DateTime Created { get; set; }

    public string Owner { get; set; } = string.Empty;

    public Dictionary<string, string>? Annotations { get; set; }
}
