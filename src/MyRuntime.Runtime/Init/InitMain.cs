using MyRuntime.Linux;
using MyRuntime.Runtime.Hooks;
using MyRuntime.Runtime.Rootfs;

namespace MyRuntime.Runtime.Init;

/// <summary>The init stage of create: this binary re-executed inside the container's new namespaces. It builds the
/// root filesystem, reports ready, waits on the exec FIFO and execs the user program as PID 1.</summary>
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
        Timing.Mark("init: main");
        Processes.Prctl(Processes.PR_SET_DUMPABLE, 0);
        InitBootstrap? boot = null;
        bool ready = false;
        try
        {
            boot = SyncChannel.Receive(sync, RuntimeJson.Default.InitBootstrap)
                ?? throw new RuntimeException("runtime closed the sync socket");
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
        Timing.Mark("init: bootstrap read");
        var rootfs = new RootfsSetup(spec, boot.Rootfs, boot.Bundle, boot.UserNamespace);
        rootfs.Prepare();
        Timing.Mark("init: mounts done");

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

        // The exec FIFO is held by an O_PATH descriptor across pivot_root; it is reopened for writing through
        // /proc/self/fd once the runtime has been told we are ready, and that open blocks until `start`.
        int fifoPath = boot.FifoFd;
        rootfs.SwitchRoot(boot.NoPivot);
        if (!string.IsNullOrEmpty(spec.Hostname))
        {
            Namespaces.SetHostname(spec.Hostname);
        }

        if (!string.IsNullOrEmpty(spec.Domainname))
        {
            Namespaces.SetDomainname(spec.Domainname);
        }

        Timing.Mark("init: pivoted");
        rootfs.Finish();
        Timing.Mark("init: finished rootfs");
        string executable = ProcessSetup.ResolveExecutable(process);

        SyncChannel.Send(sync, new InitMessage { Type = InitMessage.Ready });
        ready = true;
        Files.Close(sync);

        int fifoFd = Files.Open($"/proc/self/fd/{fifoPath}", Files.O_WRONLY);
        Files.WriteAll(fifoFd, "0"u8);
        Files.Close(fifoFd);
        Files.Close(fifoPath);

        HookRunner.RunAll("startContainer", spec.Hooks?.StartContainer, state);
        if (slave is not null)
        {
            ConsoleSetup.Attach(slave, process.User.Uid, process.User.Gid);
        }

        ProcessSetup.Exec(process, executable, boot.PreserveFds);
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
