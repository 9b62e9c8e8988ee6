using System.Runtime.InteropServices;
using MyRuntime.Linux;

namespace MyRuntime.Engine.Init;

/// <summary>The init's signal handlers: every catchable asynchronous signal is passed on to the child. Signals that
/// arrive before the child exists are held and sent once it does.</summary>
internal sealed class InitSignals : IDisposable
{
    /// <summary>HUP INT QUIT USR1 USR2 PIPE ALRM TERM CONT TSTP URG XCPU XFSZ VTALRM PROF WINCH IO PWR: all but
    /// KILL and STOP (uncatchable), CHLD (the init's own), the synchronous faults (ILL TRAP ABRT BUS FPE SEGV SYS),
    /// TTIN and TTOU (terminal control of the init itself) and the real-time signals (the runtime's own).</summary>
    public static readonly int[] Forwarded = [1, 2, 3, 10, 12, 13, 14, 15, 18, 20, 23, 24, 25, 26, 27, 28, 29, 30];

    private readonly Lock gate = new();
    private readonly List<int> held = [];
    private readonly List<PosixSignalRegistration> registrations = [];
    private int target;

    public InitSignals()
    {
        Sessions.DefaultDispositions(Forwarded.Where(signal => signal != 13)); // SIGPIPE stays as the runtime set it
        try
        {
            foreach (int signal in Forwarded)
            {
                registrations.Add(PosixSignalRegistration.Create((PosixSignal)signal, c =>
                {
                    c.Cancel = true;
                    Forward(signal);
                }));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>From now on signals go to pid; those held so far are sent first, in order.</summary>
    public void Target(int pid)
    {
        lock (gate)
        {
            target = pid;
            foreach (int signal in held)
            {
                Send(signal);
            }

            held.Clear();
        }
    }

    public void Dispose()
    {
        foreach (var r in registrations)
        {
            r.Dispose();
        }

        registrations.Clear();
    }

    private void Forward(int signal)
    {
        lock (gate)
        {
            if (target == 0)
            {
                held.Add(signal);
            }
            else
            {
                Send(signal);
            }
        }
    }

    private void Send(int signal)
    {
        try
        {
            _ = Processes.Kill(target, signal);
        }
        catch (LinuxException e)
        {
            Console.Error.WriteLine($"myruntime-init: {e.Message}");
        }
    }
}
