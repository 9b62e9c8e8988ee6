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

        new Thread(() => Files.CopyUntilEnd(0, master)) { IsBackground = true, Name = "stdin to pty" }.Start();
        output = new Thread(() => Files.CopyUntilEnd(master, 1)) { IsBackground = true, Name = "pty to stdout" };
        output.Start();
    }

    public static TerminalProxy Attach(int master) => new(master);

    /// <summary>Waits briefly for the last output of the pty after the process exited.</summary>
    public void Drain() => output.Join(TimeSpan.FromSeconds(2));

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
