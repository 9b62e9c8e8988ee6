using MyRuntime.Engine.Logs;
using MyRuntime.Linux;

namespace MyRuntime.Engine.Monitor;

/// <summary>Copies one output of the container (a pipe, or the pty master) into the log file and, while a command
/// is attached, to that command's terminal or pipe. The log keeps everything even after the attached reader left.</summary>
public sealed class OutputPump
{
    private readonly int source;
    private readonly string stream;
    private readonly JsonLogWriter log;
    private readonly Thread thread;
    private int target;

    public OutputPump(int source, string stream, JsonLogWriter log, int target)
    {
        this.source = source;
        this.stream = stream;
        this.log = log;
        this.target = target;
        thread = new Thread(Run) { IsBackground = true, Name = "pump " + stream };
    }

    public void Start() => thread.Start();

    /// <summary>Waits for the source's end (every writer closed); false when it did not come in time.</summary>
    public bool Join(TimeSpan timeout) => thread.Join(timeout);

    private void Run()
    {
        byte[] buffer = new byte[32768];
        while (true)
        {
            int n;
            try
            {
                n = Files.Read(source, buffer);
            }
            catch (LinuxException)
            {
                break; // EIO: the pty's last slave closed
            }

            if (n <= 0)
            {
                break;
            }

            log.Write(stream, buffer.AsSpan(0, n));
            if (target >= 0)
            {
                try
                {
                    Files.WriteAll(target, buffer.AsSpan(0, n));
                }
                catch (LinuxException)
                {
                    target = -1; // the attached reader is gone; the log goes on
                }
            }
        }

        log.Flush();
    }

    /// <summary>Copies the attached command's input into the pty until it ends.</summary>
    public static void StartInputCopy(int from, int to) =>
        new Thread(() => Files.CopyUntilEnd(from, to)) { IsBackground = true, Name = "stdin to pty" }.Start();
}
