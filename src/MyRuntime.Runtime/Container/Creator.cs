using MyRuntime.Linux;
using MyRuntime.Linux.Spawn;
using MyRuntime.Runtime.Config;
using MyRuntime.Runtime.Hooks;
using MyRuntime.Runtime.Init;

namespace MyRuntime.Runtime.Container;

/// <summary>The create operation: a process in the container's namespaces, its root filesystem set up, waiting
/// on the exec FIFO for start. On any failure everything made so far is undone.</summary>
public static class Creator
{
    public const string InitEnv = "_MYRUNTIME_INIT";

    public static ContainerState Create(RuntimeContext ctx, CreateOptions o)
    {
        Timing.Mark("create: begin");
        var store = new StateStore(ctx.Root);
        StateStore.ValidateId(o.Id);
        string bundle = Path.GetFullPath(o.Bundle);
        var spec = SpecLoader.Load(bundle);
        string rootfs = SpecValidator.Validate(spec, bundle);
        var process = spec.Process!;
        if (process.Terminal && string.IsNullOrEmpty(o.ConsoleSocket))
        {
            throw new RuntimeException("process.terminal is true: --console-socket is required");
        }

        if (spec.Linux?.Resources is { } res && res.ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            ctx.Log.Warn("linux.resources is not applied yet: cgroup limits arrive with the resources work (issue 3)");
        }

        Timing.Mark("create: spec loaded");
        using var lk = store.CreateLocked(o.Id);
        var undo = new List<Action>();
        int pid = -1;
        int consoleFd = -1, parentSync = -1, childSync = -1, fifoFd = -1;
        var joinFds = new List<(int Fd, int Type)>();
        try
        {
            string fifo = store.FifoOf(o.Id);
            // Writable by anyone, reached only through a descriptor: init may be root of a user namespace that
            // cannot search the state directory.
            Files.MakeFifo(fifo, 0x192 /* 0622 */);
            Files.Chmod(fifo, 0x192);
            fifoFd = Files.Open(fifo, Files.O_PATH);
            if (process.Terminal)
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

            (parentSync, childSync) = Sockets.Pair();
            int listenFds = ListenFds();
            int keep = listenFds + o.PreserveFds;
            var inherit = new List<int> { childSync, fifoFd };
            for (int fd = 3; fd < 3 + keep; fd++)
            {
                inherit.Add(fd);
            }

            if (consoleFd >= 0)
            {
                inherit.Add(consoleFd);
            }

            pid = Spawner.Start(new SpawnOptions
            {
                Path = RuntimeContext.SelfExe,
                Args = ["myruntime", "init"],
                Env = Timing.Enabled ? [$"{InitEnv}={childSync}", $"{Timing.EnvName}=1"] : [$"{InitEnv}={childSync}"],
                NewNamespaces = newNs,
                Joins = joinFds,
                SyncFd = childSync,
                ParentSyncFd = parentSync,
                Inherit = inherit,
                ProtectExe = true,
                WriteIdMaps = p => IdMaps.Write(p, spec.Linux?.UidMappings, spec.Linux?.GidMappings),
            });
            Timing.Mark("create: spawned");
            Files.Close(childSync);
            childSync = -1;

            if (listenFds > 0)
            {
                process.Env = [.. process.Env ?? [], $"LISTEN_FDS={listenFds}", "LISTEN_PID=1"];
            }

            var state = new ContainerState
            {
                Id = o.Id,
                Pid = pid,
                PidStartTime = ProcFs.Stat(pid)?.StartTime ?? 0,
                Bundle = bundle,
                Rootfs = rootfs,
                Created = DateTime.UtcNow,
                Owner = Credentials.GetEuid(),
                Config = spec,
            };

            var hooks = spec.Hooks;
            SyncChannel.Send(parentSync, new InitBootstrap
            {
                Id = o.Id,
                Bundle = bundle,
                Spec = spec,
                Process = process,
                Rootfs = rootfs,
                FifoFd = fifoFd,
                ConsoleSocketFd = consoleFd,
                PreserveFds = keep,
                NoPivot = o.NoPivot,
                RuntimeHooks = hooks?.Prestart is { Count: > 0 } || hooks?.CreateRuntime is { Count: > 0 },
                UserNamespace = userNs,
            }, RuntimeJson.Default.InitBootstrap);

            AwaitReady(parentSync, state, pid);
            Timing.Mark("create: ready");
            store.Save(state);
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

            store.Remove(o.Id);
            if (e is LinuxException le)
            {
                throw new RuntimeException(le.Message, le);
            }

            throw;
        }
        finally
        {
            Files.Close(consoleFd);
            Files.Close(fifoFd);
            Files.Close(parentSync);
            Files.Close(childSync);
            foreach (var (fd, _) in joinFds)
            {
                Files.Close(fd);
            }
        }
    }

    /// <summary>Serves the init stage until it reports ready: runs the runtime-namespace hooks when asked.</summary>
    private static void AwaitReady(int sync, ContainerState state, int pid)
    {
        while (true)
        {
            var msg = SyncChannel.Receive(sync);
            switch (msg?.Type)
            {
                case null:
                    int? status = Processes.TryWait(pid);
                    throw new RuntimeException(status is { } s
                        ? $"container init exited with status {s} before it was ready"
                        : "container init closed the sync socket before it was ready");
                case InitMessage.Error:
                    throw new RuntimeException(msg.Message ?? "container init failed");
                case InitMessage.Hooks:
                    var oci = state.ToOciState(ContainerStatus.Creating);
                    try
                    {
                        HookRunner.RunAll("prestart", state.Config.Hooks?.Prestart, oci);
                        HookRunner.RunAll("createRuntime", state.Config.Hooks?.CreateRuntime, oci);
                    }
                    catch (RuntimeException e)
                    {
                        SyncChannel.Send(sync, new InitMessage { Type = InitMessage.Error, Message = e.Message });
                        throw;
                    }

                    SyncChannel.Send(sync, new InitMessage { Type = InitMessage.HooksDone });
                    break;
                case InitMessage.Ready:
                    return;
                default:
                    throw new RuntimeException($"unexpected message '{msg.Type}' from container init");
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
