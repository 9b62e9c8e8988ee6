using MyRuntime.Linux;
using MyRuntime.Linux.Spawn;
using MyRuntime.Runtime.Config;
using MyRuntime.Runtime.Rootfs;
using MyRuntime.Runtime.Security.Seccomp;

namespace MyRuntime.Runtime.Container;

/// <summary>exec: a new process in every namespace of a running container. The spawned child joins them and
/// applies the process settings itself: nothing of the runtime is ever executed inside the container.</summary>
public static class Executor
{
    /// <summary>Returns the process's exit status, or null when detached.</summary>
    public static int? Exec(RuntimeContext ctx, ExecOptions o)
    {
        var store = new StateStore(ctx.Root);
        var s = store.Load(o.Id);
        if (LiveStatus.Of(s, store) == ContainerStatus.Stopped)
        {
            throw new RuntimeException("cannot exec in a stopped container");
        }

        var process = o.Process;
        SpecValidator.ValidateProcess(process, "process");
        bool ownConsole = process.Terminal && string.IsNullOrEmpty(o.ConsoleSocket);
        if (ownConsole && o.Detach)
        {
            throw new RuntimeException("--tty with --detach needs --console-socket");
        }

        var joins = new List<(int Fd, int Type)>();
        int consoleFd = -1, consoleOurs = -1, consoleMaster = -1, parentSync = -1, pid = -1;
        SetupProgram? console = null;
        try
        {
            foreach (var (name, flag) in NamespaceKinds.All)
            {
                string procName = Namespaces.ProcName(flag);
                string theirs = $"/proc/{s.Pid}/ns/{procName}";
                ulong inode = Namespaces.Inode(theirs);
                if (inode == 0 || inode == Namespaces.Inode($"/proc/self/ns/{procName}"))
                {
                    continue;
                }

                joins.Add((Files.Open(theirs, Files.O_RDONLY), flag));
            }

            joins.Sort((a, b) => (b.Type == Namespaces.CLONE_NEWUSER).CompareTo(a.Type == Namespaces.CLONE_NEWUSER));
            if (!LiveStatus.IsInitAlive(s))
            {
                throw new RuntimeException("cannot exec in a stopped container");
            }

            if (ownConsole)
            {
                (consoleOurs, consoleFd) = Sockets.Pair();
            }
            else if (process.Terminal)
            {
                consoleFd = Sockets.Connect(o.ConsoleSocket!);
            }

            var inherit = new List<int>();
            for (int fd = 3; fd < 3 + o.PreserveFds; fd++)
            {
                inherit.Add(fd);
            }

            string executable = ProcessSettingsBuilder.ResolveIn($"/proc/{s.Pid}/root", process);
            ProcessSettingsBuilder.AddHome($"/proc/{s.Pid}/root", process);
            if (process.Terminal)
            {
                console = new SetupProgram();
                SetupPlanner.AddConsole(console, process, consoleFd, root: string.Empty, console: null);
                console.Add(SetupOpCode.AttachConsole, "attach the console");
            }

            var settings = ProcessSettingsBuilder.Build(process, o.PreserveFds, s.Config.Linux?.Personality, exec: true,
                s.Config.Linux?.Seccomp is { } sc ? SeccompCompiler.Compile(sc) : null);
            (parentSync, int childSync) = Sockets.Pair();
            pid = Spawner.Start(new SpawnOptions
            {
                Path = executable,
                Args = process.Args!,
                Env = process.Env ?? [],
                Joins = joins,
                SyncFd = childSync, // Start owns it from here
                ParentSyncFd = parentSync,
                Stdin = o.Stdin,
                Stdout = o.Stdout,
                Stderr = o.Stderr,
                Inherit = inherit,
                KeepOpen = [consoleFd],
                Setup = console,
                BeforeGo = p => Cgroups.Cgroup.Open(s.Cgroup)?.Add(p), // into the container's cgroup before it runs
                Process = settings,
            });

            // End of file means the exec succeeded (the socket is close-on-exec); an error frame means it did not.
            var (kind, payload) = SyncFrames.Read(parentSync);
            Spawner.ThrowIfChildError(kind, payload);

            if (consoleOurs >= 0)
            {
                consoleMaster = Sockets.ReceiveFd(consoleOurs);
            }

            if (!string.IsNullOrEmpty(o.PidFile))
            {
                Creator.WritePidFile(o.PidFile, pid);
            }
        }
        catch (Exception e)
        {
            if (pid > 0)
            {
                Processes.Kill(pid, Signals.SIGKILL);
                Processes.WaitForExit(pid);
            }

            if (e is LinuxException le)
            {
                throw new RuntimeException(le.Message, le);
            }

            throw;
        }
        finally
        {
            console?.Dispose();
            Files.Close(consoleFd);
            Files.Close(consoleOurs);
            Files.Close(parentSync);
            foreach (var (fd, _) in joins)
            {
                Files.Close(fd);
            }
        }

        if (o.Detach)
        {
            return null;
        }

        return Foreground.Wait(pid, consoleMaster);
    }
}
