using MyRuntime.Linux;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Init;

/// <summary>The container's terminal: a pty from the container's own devpts, its master sent to the console
/// socket (SCM_RIGHTS), its slave made the process's controlling terminal and stdio.</summary>
public static class ConsoleSetup
{
    /// <summary>Creates the pty under devRoot ("ROOTFS/dev" before pivot_root, "/dev" after); sends the master;
    /// returns the slave's path as the container sees it.</summary>
    public static string CreateAndSend(string devRoot, int consoleSocket, ConsoleSize? size)
    {
        var (master, slave) = Terminals.OpenPty($"{devRoot}/pts/ptmx", $"{devRoot}/pts");
        try
        {
            if (size is { Height: > 0, Width: > 0 })
            {
                Terminals.SetSize(master, (ushort)size.Height, (ushort)size.Width);
            }

            Sockets.SendFd(consoleSocket, master, "/dev/ptmx");
        }
        finally
        {
            Files.Close(master);
        }

        return "/dev/pts/" + Path.GetFileName(slave);
    }

    /// <summary>Binds the pty slave over ROOTFS/dev/console, as the spec asks when process.terminal is true.</summary>
    public static void BindConsole(string rootfs, string slaveInContainer)
    {
        string console = Path.Combine(rootfs, "dev/console");
        if (!File.Exists(console))
        {
            File.WriteAllBytes(console, []);
        }

        Mounts.Mount(rootfs + slaveInContainer, console, null, Mounts.MS_BIND);
    }

    /// <summary>New session, the slave as controlling terminal and as stdin, stdout and stderr.</summary>
    public static void Attach(string slavePath, uint uid, uint gid)
    {
        int slave = Files.Open(slavePath, Files.O_RDWR);
        Files.Fchown(slave, uid, gid);
        Processes.Setsid();
        Terminals.SetControlling(slave);
        Files.Dup2(slave, 0);
        Files.Dup2(slave, 1);
        Files.Dup2(slave, 2);
        if (slave > 2)
        {
            Files.Close(slave);
        }
    }
}
