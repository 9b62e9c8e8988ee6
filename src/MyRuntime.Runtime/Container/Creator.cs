using System.Text.Json;
using MyRuntime.Linux;
using MyRuntime.Linux.Spawn;
using MyRuntime.Oci;
using MyRuntime.Runtime.Cgroups;
using MyRuntime.Runtime.Cgroups.Devices;
using MyRuntime.Runtime.Config;
using MyRuntime.Runtime.Hooks;
using MyRuntime.Runtime.Rootfs;
using MyRuntime.Runtime.Security.Seccomp;

namespace MyRuntime.Runtime.Container;

/// <summary>The create operation: a process in the container's namespaces with its root filesystem set up,
/// waiting on the exec FIFO for start. The cloned child does all of it with raw system calls from a setup
/// program compiled here, then execs the user program on start. On failure everything made is undone.</summary>
public static class Creator
{
    public static ContainerState Create(RuntimeContext ctx, CreateOptions o) => Create(ctx, o, out _);

    /// <summary>Creates; consoleMaster is the pty master when <see cref="CreateOptions.AllocateConsole"/> took effect, else -1.</summary>
    public static ContainerState Create(RuntimeContext ctx, CreateOptions o, out int consoleMaster)
    {
        consoleMaster = -1;
        Timing.Mark("create: begin");
        var store = new StateStore(ctx.Root);
        StateStore.ValidateId(o.Id);
        string bundle = Path.GetFullPath(o.Bundle);
        var spec = SpecLoader.Load(bundle);
        string rootfs = SpecValidator.Validate(spec, bundle);
        var process = spec.Process!;
        bool ownConsole = process.Terminal && string.IsNullOrEmpty(o.ConsoleSocket);
        if (ownConsole && !o.AllocateConsole)
        {
            throw new RuntimeException("process.terminal is true: --console-socket is required");
        }

        var resources = spec.Linux?.Resources;
        Cgroup.Validate(resources);
        foreach (string section in Cgroup.Unapplied(resources))
        {
            ctx.Log.Warn($"linux.resources.{section} is not applied yet (memory, cpu, pids and unified are)");
        }

        var seccomp = spec.Linux?.Seccomp is { } sc ? SeccompCompiler.Compile(sc) : null;
        if (UserNamespaces.InInitial && !(spec.Linux?.Namespaces ?? []).Any(n => n.Type == "user"))
        {
            CapabilityCheck.ThrowIfUngrantable(process.Capabilities, Capabilities.BoundingSet());
        }

        string executable = ProcessSettingsBuilder.ResolveIn(rootfs, process, spec.Mounts?.Select(m => m.Destination) ?? []);
        ProcessSettingsBuilder.AddHome(rootfs, process);
        Timing.Mark("create: spec loaded");
        using var lk = store.CreateLocked(o.Id);
        int pid = -1;
        int consoleFd = -1, consoleOurs = -1, parentSync = -1, fifoFd = -1;
        var joinFds = new List<(int Fd, int Type)>();
        SetupProgram? program = null;
        ICgroup? cgroup = null;
        List<string> parents = [];
        try
        {
            string fifo = store.FifoOf(o.Id);

            // Writable by anyone, reached only through a descriptor: the container's root may be the root of a
            // user namespace that cannot search the state directory.
            Files.MakeFifo(fifo, 0x192 /* 0622 */);
            Files.Chmod(fifo, 0x192);
            fifoFd = Files.Open(fifo, Files.O_PATH);
            if (ownConsole)
            {
                (consoleOurs, consoleFd) = Sockets.Pair();
            }
            else if (process.Terminal)
            {
                consoleFd = Sockets.Connect(o.ConsoleSocket!);
            }

            int newNs = 0;
            bool userNs = false;
            foreach (var ns in spec.Linux?.Namespaces ?? [])
            {
                int flag = NamespaceKinds.Flag(ns.Type)!.Value;
                userNs |= flag == Namespaces.CLONE_NEWUSER;
                if (string.IsNullOrEmpty(ns.Path))
                {
                    newNs |= flag;
                }
                else
                {
                    joinFds.Add((Files.Open(ns.Path, Files.O_RDONLY), flag));
                }
            }

            // Join the user namespace first: the others are then joined with its privileges.
            joinFds.Sort((a, b) => (b.Type == Namespaces.CLONE_NEWUSER).CompareTo(a.Type == Namespaces.CLONE_NEWUSER));

            int listenFds = ListenFds();
            int keep = listenFds + o.PreserveFds;
            if (listenFds > 0)
            {
                process.Env = [.. process.Env ?? [], $"LISTEN_FDS={listenFds}", "LISTEN_PID=1"];
            }

            var hooks = spec.Hooks;
            bool runtimeHooks = hooks?.Prestart is { Count: > 0 } || hooks?.CreateRuntime is { Count: > 0 };
            Timing.Mark("create: cgroup begin");
            var applied = DeviceRules.WithDefaults(resources, spec.Linux?.Devices); // the device rules made whole
            var planned = Cgroup.Plan(spec.Linux?.CgroupsPath, o.Id, applied);
            parents = CgroupParents.Missing(planned.Dirs);
            cgroup = RootlessCgroup.CreateOrSkip(planned, applied, resources, ctx.Log, ref parents);
            Timing.Mark("create: cgroup made");
            program = SetupPlanner.Plan(new SetupInputs
            {
                CgroupDirs = cgroup?.Dirs ?? new Dictionary<string, string>(),
                Spec = spec,
                Rootfs = rootfs,
                Bundle = bundle,
                UserNamespace = userNs || !UserNamespaces.InInitial, // rootless: no mknod, no sysfs of the host's netns
                NoPivot = o.NoPivot,
                ConsoleFd = consoleFd,
                FifoFd = fifoFd,
            }, runtimeHooks);

            var state = new ContainerState
            {
                Id = o.Id,
                Bundle = bundle,
                Rootfs = rootfs,
                Created = DateTime.UtcNow,
                Owner = Credentials.GetEuid(),
                Config = spec,
                Cgroup = cgroup is null ? null : new Dictionary<string, string>(cgroup.Dirs),
                CgroupParents = parents.Count > 0 ? parents : null,
            };

            var settings = ProcessSettingsBuilder.Build(process, keep, spec.Linux?.Personality, exec: false, seccomp);
            (parentSync, int childSync) = Sockets.Pair();
            var inherit = new List<int>();
            for (int fd = 3; fd < 3 + keep; fd++)
            {
                inherit.Add(fd);
            }

            pid = Spawner.Start(new SpawnOptions
            {
                Path = executable,
                Args = process.Args!,
                Env = process.Env ?? [],
                NewNamespaces = newNs,
                Joins = joinFds,
                SyncFd = childSync, // Start owns it from here
                ParentSyncFd = parentSync,
                Stdin = o.Stdin,
                Stdout = o.Stdout,
                Stderr = o.Stderr,
                Inherit = inherit,
                KeepOpen = [fifoFd, consoleFd],
                Setup = program,
                Process = settings,
                BeforeGo = p =>
                {
                    IdMaps.Write(p, spec.Linux?.UidMappings, spec.Linux?.GidMappings);
                    cgroup?.Add(p); // before the child runs anything of the container's
                },
                GoPayload = p =>
                {
                    state.Pid = p;
                    return JsonSerializer.SerializeToUtf8Bytes(state.ToOciState(ContainerStatus.Creating), OciJson.Default.State);
                },
            });
            Timing.Mark("create: spawned");

            state.Pid = pid;
            state.PidStartTime = ProcFs.Stat(pid)?.StartTime ?? 0;
            AwaitReady(parentSync, state, pid, program);
            Timing.Mark("create: ready");
            Loopback.BringUp(spec, pid, ctx.Log);
            Timing.Mark("create: lo up");
            store.Save(state);
            if (consoleOurs >= 0)
            {
                consoleMaster = Sockets.ReceiveFd(consoleOurs);
            }

            if (!string.IsNullOrEmpty(o.PidFile))
            {
                WritePidFile(o.PidFile, pid);
            }

            return state;
        }
        catch (Exception e)
        {
            if (pid > 0)
            {
                Processes.Kill(pid, Signals.SIGKILL);
                _ = Processes.TryWait(pid) ?? Processes.WaitForExit(pid);
            }

            bool oomKilled = OomKilled(cgroup);
            cgroup?.Destroy();
            CgroupParents.Remove(parents);
            store.Remove(o.Id);
            if (oomKilled)
            {
                throw new RuntimeException("container init was killed by the OOM killer before it could start: the memory limit is too low", e);
            }

            if (e is LinuxException le)
            {
                throw new RuntimeException(le.Message, le);
            }

            throw;
        }
        finally
        {
            program?.Dispose();
            Files.Close(consoleFd);
            Files.Close(consoleOurs);
            Files.Close(fifoFd);
            Files.Close(parentSync);
            foreach (var (fd, _) in joinFds)
            {
                Files.Close(fd);
            }
        }
    }

    private static bool OomKilled(ICgroup? cgroup)
    {
        try
        {
            return cgroup?.OomKills() > 0;
        }
        catch (LinuxException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Serves the child until it reports ready: runs the runtime-namespace hooks when it asks.</summary>
    private static void AwaitReady(int sync, ContainerState state, int pid, SetupProgram program)
    {
        while (true)
        {
            var (kind, payload) = SyncFrames.Read(sync);
            switch (kind)
            {
                case 0:
                    int? status = Processes.TryWait(pid);
                    throw new RuntimeException(status is { } s
                        ? $"container process exited with status {s} before it was ready"
                        : "container process closed the sync socket before it was ready");
                case SyncFrames.Error:
                    Spawner.ThrowIfChildError(kind, payload, program.Describe);
                    break;
                case SyncFrames.Hooks:
                    var oci = state.ToOciState(ContainerStatus.Creating);
                    HookRunner.RunAll("prestart", state.Config.Hooks?.Prestart, oci);
                    HookRunner.RunAll("createRuntime", state.Config.Hooks?.CreateRuntime, oci);
                    SyncFrames.Write(sync, SyncFrames.Go, []);
                    break;
                case SyncFrames.Ready:
                    return;
                default:
                    throw new RuntimeException($"unexpected message '{(char)kind}' from the container process");
            }
        }
    }

    /// <summary>Socket-activation descriptors handed to the runtime (LISTEN_FDS, for this process).</summary>
    private static int ListenFds()
    {
        string? fds = Environment.GetEnvironmentVariable("LISTEN_FDS");
        string? listenPid = Environment.GetEnvironmentVariable("LISTEN_PID");
        if (!int.TryParse(fds, out int n) || n <= 0)
        {
            return 0;
        }

        if (int.TryParse(listenPid, out int p) && p != Environment.ProcessId)
        {
            return 0;
        }

        return n;
    }

    public static void WritePidFile(string path, int pid)
    {
        string full = Path.GetFullPath(path);
        string tmp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.tmp");
        File.WriteAllText(tmp, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        File.Move(tmp, full, overwrite: true);
    }
}
