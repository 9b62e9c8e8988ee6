using System.Buffers.Binary;
using System.Text;

namespace MyRuntime.Linux.Spawn;

/// <summary>Starts processes with a raw clone(2) whose child runs only raw system calls before execve(2).</summary>
public static unsafe class Spawner
{
    /// <summary>Spawns and returns the pid of the process that will execve (in the new pid namespace if any).</summary>
    public static int Start(SpawnOptions o)
    {
        bool syncClosed = false;
        try
        {
            return StartOwning(o, ref syncClosed);
        }
        finally
        {
            if (!syncClosed && o.SyncFd >= 0)
            {
                Files.Close(o.SyncFd);
            }
        }
    }

    private static int StartOwning(SpawnOptions o, ref bool syncClosed)
    {
        bool joinsUser = false, joinsPid = false;
        foreach (var (_, type) in o.Joins)
        {
            joinsUser |= type == Namespaces.CLONE_NEWUSER;
            joinsPid |= type == Namespaces.CLONE_NEWPID;
        }

        bool newUser = (o.NewNamespaces & Namespaces.CLONE_NEWUSER) != 0;
        bool twoStage = o.Joins.Count > 0;

        using var strings = new NativeStrings(o.Path, o.Args, o.Env);
        int[] joinFds = new int[Math.Max(1, o.Joins.Count)];
        int[] joinTypes = new int[Math.Max(1, o.Joins.Count)];
        for (int i = 0; i < o.Joins.Count; i++)
        {
            (joinFds[i], joinTypes[i]) = o.Joins[i];
        }

        int[] inherit = [.. o.Inherit, 0];
        int[] closeRanges = CloseRanges(o);
        const int stateCapacity = 1 << 20;
        using var stepTexts = new StepTextTable(StepText);
        byte* stateBuffer = o.Setup is null ? null : (byte*)System.Runtime.InteropServices.NativeMemory.Alloc(stateCapacity);

        var ps = o.Process;
        int lastCap = ps?.Capabilities is null ? 0 : Capabilities.LastCap();
        int[] rlRes = ps is null ? [0] : [.. ps.Rlimits.Select(r => r.Resource), 0];
        ulong[] rlVal = ps is null ? [0] : [.. ps.Rlimits.SelectMany(r => new[] { r.Soft, r.Hard }), 0];
        uint[] groups = ps is null ? [0] : [.. ps.Groups, 0];
        var caps = ps?.Capabilities;
        uint[] capData = caps is null ? [0] :
        [
            (uint)caps.Effective, (uint)caps.Permitted, (uint)caps.Inheritable,
            (uint)(caps.Effective >> 32), (uint)(caps.Permitted >> 32), (uint)(caps.Inheritable >> 32),
        ];
        byte[] oom = Encoding.ASCII.GetBytes((ps?.OomScoreAdj?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty) + "\0");
        byte[] cwd = Encoding.UTF8.GetBytes((ps?.Cwd ?? string.Empty) + "\0");
        ulong[] schedAttr = SchedAttr(ps?.Scheduler);
        ulong[] affinity = ps?.FinalCpus is { } finalCpus ? Scheduling.Mask(finalCpus) : [0];
        ulong[] filter = ps?.Seccomp is { } sf ? sf.Instructions : [0];
        if (filter.Length is 0 or > ushort.MaxValue)
        {
            throw new ArgumentException("a seccomp program has 1 to 65535 instructions");
        }

        ulong* fprog = stackalloc ulong[2]; // struct sock_fprog: unsigned short len, then the pointer

        fixed (byte* oomPtr = oom, cwdPtr = cwd)
        fixed (int* jf = joinFds, jt = joinTypes, inh = inherit, rr = rlRes, cr = closeRanges)
        fixed (ulong* rv = rlVal, sa = schedAttr, af = affinity, fp = filter)
        fixed (uint* gp = groups, cd = capData)
        {
            var processPlan = ps is null ? default : new ProcessPlan
            {
                RlimitCount = ps.Rlimits.Count,
                RlimitResources = rr,
                RlimitValues = rv,
                OomScoreAdj = ps.OomScoreAdj is null ? null : oomPtr,
                ApplyCaps = caps is null ? 0 : 1,
                LastCap = lastCap,
                Bounding = caps?.Bounding ?? 0,
                CapData = cd,
                Ambient = caps is null ? 0 : caps.Ambient & caps.Permitted & caps.Inheritable,
                Uid = ps.Uid,
                Gid = ps.Gid,
                GroupCount = ps.Groups.Count,
                Groups = gp,
                Umask = ps.Umask is { } m ? (int)m : -1,
                Cwd = ps.Cwd is null ? null : cwdPtr,
                NoNewPrivileges = ps.NoNewPrivileges ? 1 : 0,
                CloseFrom = ps.CloseFrom,
                Personality = ps.Personality ?? -1,
                SchedAttr = ps.Scheduler is null ? null : sa,
                IoPriority = ps.IoPriority ?? -1,
                AffinityBytes = ps.FinalCpus is null ? 0 : affinity.Length * sizeof(ulong),
                Affinity = af,
                SeccompProgram = ps.Seccomp is null ? null : fprog,
                SeccompFlags = ps.Seccomp?.Flags ?? 0,
                SeccompLast = ps.NoNewPrivileges ? 1 : 0,
            };
            fprog[0] = (ulong)filter.Length;
            fprog[1] = (ulong)fp;

            var plan = new ChildPlan
            {
                SyncFd = o.SyncFd,
                JoinFds = jf,
                JoinTypes = jt,
                JoinCount = o.Joins.Count,
                Stdin = o.Stdin,
                Stdout = o.Stdout,
                Stderr = o.Stderr,
                InheritFds = inh,
                InheritCount = o.Inherit.Count,
                ExecPath = strings.Path,
                Argv = strings.Argv,
                Envp = strings.Envp,
                Process = ps is null ? null : &processPlan,
                Ops = o.Setup is null ? null : o.Setup.Table(),
                OpCount = o.Setup?.Count ?? 0,
                StateBuffer = stateBuffer,
                StateCapacity = stateBuffer == null ? 0 : stateCapacity,
                SlaveFd = -1,
                CloseRanges = cr,
                StepTexts = stepTexts.Table,
                CurrentOp = -1,
                CloseRangeCount = closeRanges.Length / 2,
                NewProcessGroup = o.NewProcessGroup ? 1 : 0,
                ForegroundTerminal = o.NewProcessGroup ? o.ForegroundTerminal : -1,
            };

            int cgroupNs = o.NewNamespaces & Namespaces.CLONE_NEWCGROUP;
            if (!twoStage)
            {
                plan.CloneFlags = o.NewNamespaces & ~Namespaces.CLONE_NEWCGROUP;
                plan.WaitGo = o.SyncFd >= 0 ? 1 : 0;
                plan.BecomeRoot = newUser ? 1 : 0;
                plan.UnshareFlags = cgroupNs;
            }
            else
            {
                int others = o.NewNamespaces & ~Namespaces.CLONE_NEWUSER;
                plan.UnshareUser = newUser ? 1 : 0;
                plan.RequestMap = newUser ? 1 : 0;
                plan.WaitGo = o.SyncFd >= 0 ? 1 : 0;
                plan.BecomeRoot = newUser || joinsUser ? 1 : 0;
                plan.UnshareFlags = others;
                plan.SecondClone = joinsPid || (others & Namespaces.CLONE_NEWPID) != 0 ? 1 : 0;
                plan.WaitGoAfterClone = plan.SecondClone != 0 && o.GoPayload is not null ? 1 : 0;
            }

            if ((o.SyncFd < 0 || o.ParentSyncFd < 0) && (plan.WaitGo != 0 || plan.RequestMap != 0 || plan.SecondClone != 0))
            {
                throw new InvalidOperationException("a spawn that joins namespaces or maps ids needs a sync socket");
            }

            try
            {
                long pid = RawChild.Clone(&plan);

                // The child has its copy: the parent must not keep one, or a child killed before it writes (the
                // OOM killer in a tiny memory limit) would leave the reads below waiting forever.
                if (o.SyncFd >= 0)
                {
                    Files.Close(o.SyncFd);
                    syncClosed = true;
                }

                if (pid < 0)
                {
                    throw new LinuxException("clone", (int)-pid);
                }

                return twoStage ? FinishTwoStage((int)pid, plan, o) : FinishOneStage((int)pid, plan, o);
            }
            finally
            {
                System.Runtime.InteropServices.NativeMemory.Free(stateBuffer);
            }
        }
    }

    /// <summary>struct sched_attr (SCHED_ATTR_SIZE_VER1, 56 bytes) as 7 words; a single word when none.</summary>
    private static ulong[] SchedAttr(SchedulerSettings? s) => s is null ? [0] :
    [
        56UL | ((ulong)s.Policy << 32),
        s.Flags,
        (uint)s.Nice | ((ulong)s.Priority << 32),
        s.Runtime,
        s.Deadline,
        s.Period,
        0, // util_min, util_max
    ];

    /// <summary>The initial CPU affinity, given to the child before it joins its cgroup, then the caller's hook.</summary>
    private static void BeforeGo(int pid, SpawnOptions o)
    {
        if (o.Process?.InitialCpus is { } cpus)
        {
            Scheduling.SetAffinity(pid, cpus);
        }

        o.BeforeGo?.Invoke(pid);
    }

    private static int FinishOneStage(int pid, ChildPlan plan, SpawnOptions o)
    {
        try
        {
            BeforeGo(pid, o);

            if (plan.WaitGo != 0)
            {
                SyncFrames.Write(o.ParentSyncFd, RawChild.FrameGo, o.GoPayload?.Invoke(pid) ?? []);
            }

            return pid;
        }
        catch
        {
            Processes.Kill(pid, 9);
            Processes.WaitForExit(pid);
            throw;
        }
    }

    private static int FinishTwoStage(int pid1, ChildPlan plan, SpawnOptions o)
    {
        int parentFd = o.ParentSyncFd;
        int pid2 = -1;
        try
        {
            if (plan.RequestMap != 0)
            {
                var (type, payload) = SyncFrames.Read(parentFd);
                ThrowIfChildError(type, payload);
                if (type == 0)
                {
                    throw new LinuxException("spawn: the child process ended before it was ready", Errno.EIO);
                }
            }

            BeforeGo(pid1, o);

            SyncFrames.Write(parentFd, RawChild.FrameGo, plan.SecondClone == 0 ? o.GoPayload?.Invoke(pid1) ?? [] : []);
            if (plan.SecondClone == 0)
            {
                return pid1;
            }

            var (t, p) = SyncFrames.Read(parentFd);
            ThrowIfChildError(t, p);
            if (t == 0)
            {
                throw new LinuxException("spawn: the child process ended before it was ready", Errno.EIO);
            }

            if (t != RawChild.FramePid || p.Length < 4)
            {
                throw new LinuxException("spawn: unexpected message from child", Errno.EIO);
            }

            pid2 = BinaryPrimitives.ReadInt32LittleEndian(p);
            if (plan.WaitGoAfterClone != 0)
            {
                SyncFrames.Write(parentFd, RawChild.FrameGo, o.GoPayload!.Invoke(pid2));
            }

            int status = Processes.WaitForExit(pid1);
            if (status != 0)
            {
                throw new LinuxException($"spawn: intermediate process exited with {status}", Errno.EIO);
            }

            return pid2;
        }
        catch
        {
            Processes.Kill(pid1, 9);
            _ = Processes.TryWait(pid1);
            if (pid2 > 0)
            {
                Processes.Kill(pid2, 9);
                Processes.WaitForExit(pid2);
            }

            throw;
        }
    }

    /// <summary>[first, last] ranges (last -1 meaning the end) of the descriptors the child closes at once.</summary>
    private static int[] CloseRanges(SpawnOptions o)
    {
        var keep = new SortedSet<int> { 0, 1, 2 };
        foreach (int fd in o.Inherit.Concat(o.KeepOpen).Concat(o.Joins.Select(j => j.Fd))
            .Append(o.SyncFd).Append(o.ForegroundTerminal).Append(o.Stdin).Append(o.Stdout).Append(o.Stderr))
        {
            if (fd >= 0)
            {
                keep.Add(fd);
            }
        }

        var ranges = new List<int>();
        int next = 0;
        foreach (int fd in keep)
        {
            if (fd > next)
            {
                ranges.Add(next);
                ranges.Add(fd - 1);
            }

            next = fd + 1;
        }

        ranges.Add(next);
        ranges.Add(-1);
        return [.. ranges];
    }

    /// <summary>What the child was doing at a step, for messages.</summary>
    private static string StepText(int step) => step switch
    {
        RawChild.StepWaitGo => "wait for the parent",
        RawChild.StepUnshareUser => "create the user namespace",
        RawChild.StepBecomeRoot => "become root in the user namespace (is uid/gid 0 mapped?)",
        RawChild.StepUnshare => "create namespaces",
        RawChild.StepSecondClone => "clone into the pid namespace",
        RawChild.StepStdio => "set up standard descriptors",
        RawChild.StepExec => "exec",
        RawChild.StepRlimit => "set rlimits",
        RawChild.StepOomScoreAdj => "set oom_score_adj",
        RawChild.StepCapabilities => "set capabilities",
        RawChild.StepIdentity => "set user and groups",
        RawChild.StepCwd => "change to the working directory",
        RawChild.StepNoNewPrivileges => "set no_new_privs",
        RawChild.StepSignals => "reset signal handling",
        RawChild.StepProcessGroup => "make a process group",
        RawChild.StepPersonality => "set the personality",
        RawChild.StepScheduler => "set the scheduler",
        RawChild.StepIoPriority => "set the I/O priority",
        RawChild.StepAffinity => "set the final CPU affinity",
        RawChild.StepSeccomp => "load the seccomp filter",
        RawChild.StepSetup => "set up the container",
        RawChild.StepHookStatus => "run a hook",
        _ => "start the process",
    };

    /// <summary>Turns an error frame from the child into an exception naming the step that failed.</summary>
    public static void ThrowIfChildError(byte type, byte[] payload, Func<int, string>? describe = null)
    {
        if (type != RawChild.FrameError || payload.Length < 8)
        {
            return;
        }

        int errno = BinaryPrimitives.ReadInt32LittleEndian(payload);
        int code = BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(4));
        int step = code & 0x7f;
        int detail = code & ~0x7f;
        string what = step is RawChild.StepSetup or RawChild.StepHookStatus && describe is not null ? describe(detail >> 8)
            : step == RawChild.StepJoin ? $"join the {Namespaces.ProcName(detail)} namespace" : StepText(step);
        if (step == RawChild.StepHookStatus)
        {
            throw LinuxException.WithMessage($"{what}: exit status {errno - 1000}", Errno.EIO);
        }

        if (errno == 110)
        {
            throw LinuxException.WithMessage($"{what}: timed out", errno);
        }

        throw new LinuxException(what, errno);
    }
}

/// <summary>The step texts in unmanaged memory, for the child's messages on stderr after ready.</summary>
internal sealed unsafe class StepTextTable : IDisposable
{
    private const int Steps = 32;

    public StepTextTable(Func<int, string> text)
    {
        Table = (byte**)System.Runtime.InteropServices.NativeMemory.AllocZeroed(Steps * (nuint)sizeof(byte*));
        for (int i = 0; i < Steps; i++)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text(i));
            byte* p = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)bytes.Length + 1);
            bytes.AsSpan().CopyTo(new Span<byte>(p, bytes.Length));
            p[bytes.Length] = 0;
            Table[i] = p;
        }
    }

    public byte** Table { get; private set; }

    public void Dispose()
    {
        if (Table == null)
        {
            return;
        }

        for (int i = 0; i < Steps; i++)
        {
            System.Runtime.InteropServices.NativeMemory.Free(Table[i]);
        }

        System.Runtime.InteropServices.NativeMemory.Free(Table);
        Table = null;
    }
}
