using System.Runtime.InteropServices;
using MyRuntime.Linux;

namespace MyRuntime.Runtime.Container;

/// <summary>Connects the caller's stdin and stdout to a container's pty master, as `runc run` does for a terminal
/// container without --console-socket: the caller's terminal goes raw, follows window size changes, and is
/// restored on dispose.</summary>
public sealed class TerminalProxy : IDisposable
{
    private readonly int master;
    private readonly byte[]? saved;
    private readonly PosixSignalRegistration? winch;
    private readonly Thread output;

    private TerminalProxy(int master)
    {
        this.master = master;
        if (Terminals.IsTerminal(0))
        {
            saved = Terminals.MakeRaw(0);
            Terminals.CopySize(0, master);
            winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => Terminals.CopySize(0, master));
        }

        new Thread(() => Copy(0, master)) { IsBackground = true, Name = "stdin to pty" }.Start();
        output = new Thread(() => Copy(master, 1)) { IsBackground = true, Name = "pty to stdout" };
        output.Start();
    }

    public static TerminalProxy Attach(int master) => new(master);

    /// <summary>Waits briefly for the last output of the pty after the process exited.</summary>
    public void Drain() => output.Join(TimeSpan.FromSeconds(2));

    private static void Copy(int from, int to)
    {
        byte[] buffer = new byte[16384];
        try
        {
            while (true)
            {
                int n = Files.Read(from, buffer);
                if (n <= 0)
                {
                    return;
                }

                Files.WriteAll(to, buffer.AsSpan(0, n));
            }
        }
        catch (LinuxException)
        {
            // EIO once the pty's last slave closed: the container's terminal is gone.
        }
    }

    public void Dispose()
    {
        winch?.Dispose();
        if (saved is not null)
        {
            Terminals.Restore(0, saved);
        }

        Files.Close(master);
    }
}
