using System.Runtime.InteropServices;
using MyRuntime.Linux;

namespace MyRuntime.Runtime.Container;

/// <summary>Waits for a child process in the foreground, forwarding the signals a user sends to the runtime.</summary>
public static class Foreground
{
    private static readonly int[] Forwarded =
    [
        Signals.SIGINT, Signals.SIGTERM, Signals.SIGHUP, Signals.SIGQUIT, Signals.SIGUSR1, Signals.SIGUSR2,
    ];

    /// <summary>The child's exit code, or 128+N when a signal N ended it. With a pty master (not -1), the caller's
    /// terminal is connected to it until the child exits.</summary>
    public static int Wait(int pid, int consoleMaster = -1)
    {
        var registrations = new List<PosixSignalRegistration>();
        using var proxy = consoleMaster >= 0 ? TerminalProxy.Attach(consoleMaster) : null;
        try
        {
            foreach (int sig in Forwarded)
            {
                registrations.Add(PosixSignalRegistration.Create((PosixSignal)sig, c =>
                {
                    c.Cancel = true;
                    Processes.Kill(pid, sig);
                }));
            }

            int status = Processes.WaitForExit(pid);
            proxy?.Drain();
            return status;
        }
        finally
        {
            foreach (var r in registrations)
            {
                r.Dispose();
            }
        }
    }
}
