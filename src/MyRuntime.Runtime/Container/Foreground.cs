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

    /// <summary>The child's exit code, or 128+N when a signal N ended it.</summary>
    public static int Wait(int pid)
    {
        var registrations = new List<PosixSignalRegistration>();
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

            return Processes.WaitForExit(pid);
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
