using MyRuntime.Linux;
using MyRuntime.Runtime.Hooks;
using MyRuntime.Runtime.Rootfs;

namespace MyRuntime.Runtime.Init;

/// <summary>The init stage: this binary re-executed inside the container's namespaces. For create it builds the
/// root filesystem, reports ready, waits on the exec FIFO and execs the user program as PID 1; for exec it applies
/// the process settings and execs.</summary>
public static class InitMain
{
    public static int Run()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(Container.Creator.InitEnv), out int sync))
        {
            Console.Error.WriteLine("myruntime init: not started by the runtime");
            return 1;
        }

        // Nothing in the container may read this process's memory or /proc/PID/exe while it runs our code.
        Processes.Prctl(Processes.PR_SET_DUMPABLE, 0);
        InitBootstrap? boot = null;
        bool ready = false;
        try
        {
            boot = SyncChannel.Receive(sync, RuntimeJson.Default.InitBootstrap)
                ?? throw new RuntimeException("runtime closed the sync socket");
            if (boot.Mode == InitBootstrap.ModeExec)
            {
                return Exec(boot, sync);
            }

            Create(boot, sync, ref ready);
            return 127; // not reached: Create execs
        }
        catch (Exception e)
        {
            string message = e is RuntimeException or LinuxException ? e.Message : e.ToString();
            if (!ready)
            {
                TrySend(sync, new InitMessage { Type = InitMessage.Error, Message = message });
            }
            else
            {
                Console.Error.WriteLine($"myruntime init: {message}");
            }

            return 127;
        }
    }

    private static void Create(InitBootstrap boot, int sync, ref bool ready)
    {
        var spec = boot.Spec ?? throw new RuntimeException("bootstrap without a spec");
        var process = boot.Process;
        var rootfs = new RootfsSetup(spec, boot.Rootfs, boot.Bundle, boot.UserNamespace);
        rootfs.Prepare();

        if (boot.RuntimeHooks)
        {
            SyncChannel.Send(sync, new InitMessage { Type = InitMessage.Hooks });
            var reply = SyncChannel.Receive(sync);
            if (reply?.Type != InitMessage.HooksDone)
            {
                throw new RuntimeException(reply?.Message ?? "runtime hooks failed");
            }
        }

        var state = new Oci.RuntimeSpec.State
        {
            Id = boot.Id,
            Status = Container.ContainerStatus.Created,
            Pid = Environment.ProcessId,
            Bundle = boot.Bundle,
            Annotations = spec.Annotations,
        };
        HookRunner.RunAll("createContainer", spec.Hooks?.CreateContainer, state);

        string? slave = null;
        if (process.Terminal)
        {
            slave = ConsoleSetup.CreateAndSend(boot.Rootfs + "/dev", boot.ConsoleSocketFd, process.ConsoleSize);
            ConsoleSetup.BindConsole(boot.Rootfs, slave);
            Files.Close(boot.ConsoleSocketFd);
        }

        // Block on the exec FIFO from a helper thread opened before pivot_root: the open resolves the host path now
        // and completes when `start` opens the other end.
        int fifoFd = -1;
        Exception? fifoError = null;
        var fifoThread = new Thread(() =>
        {
            try
            {
                fifoFd = Files.Open(boot.FifoPath, Files.O_WRONLY);
            }
            catch (Exception e)
            {
                fifoError = e;
            }
        })
        { IsBackground = true };
        fifoThread.Start();

        rootfs.SwitchRoot(boot.NoPivot);
        if (!string.IsNullOrEmpty(spec.Hostname))
        {
            Namespaces.SetHostname(spec.Hostname);
        }

        if (!string.IsNullOrEmpty(spec.Domainname))
        {
            Namespaces.SetDomainname(spec.Domainname);
        }

        rootfs.Finish();
        string executable = ProcessSetup.ResolveExecutable(process);

        SyncChannel.Send(sync, new InitMessage { Type = InitMessage.Ready });
        ready = true;
        Files.Close(sync);

        fifoThread.Join();
        if (fifoError is not null)
        {
            throw fifoError;
        }

        Files.WriteAll(fifoFd, "0"u8);
        Files.Close(fifoFd);

        HookRunner.RunAll("startContainer", spec.Hooks?.StartContainer, state);
        if (slave is not null)
        {
            ConsoleSetup.Attach(slave, process.User.Uid, process.User.Gid);
        }

        ProcessSetup.Exec(process, executable, boot.PreserveFds);
    }

    private static int Exec(InitBootstrap boot, int sync)
    {
        var process = boot.Process;
        string? slave = null;
        if (process.Terminal)
        {
            slave = ConsoleSetup.CreateAndSend("/dev", boot.ConsoleSocketFd, process.ConsoleSize);
            Files.Close(boot.ConsoleSocketFd);
        }

        string executable = ProcessSetup.ResolveExecutable(process);
        if (slave is not null)
        {
            ConsoleSetup.Attach(slave, process.User.Uid, process.User.Gid);
        }

        // The sync socket is close-on-exec: the runtime reads end-of-file once the exec succeeded.
        ProcessSetup.Exec(process, executable, boot.PreserveFds);
        return 127;
    }

    private static void TrySend(int sync, InitMessage message)
    {
        try
        {
            SyncChannel.Send(sync, message);
        }
        catch (LinuxException)
        {
            // The runtime is gone; nobody is left to tell.
        }
    }
}
