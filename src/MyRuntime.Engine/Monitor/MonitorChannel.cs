using System.Text;
using MyRuntime.Linux;

namespace MyRuntime.Engine.Monitor;

/// <summary>The line protocol between a command and the monitor it started, over a socketpair. From the monitor:
/// <c>pid N</c> once the container runs, <c>error CODE MESSAGE</c> when it could not start, <c>exit CODE [oom]</c> once it
/// ended and was cleaned up. From the command: <c>winch</c> when its terminal was resized.</summary>
public sealed class MonitorChannel : IDisposable
{
    private readonly int fd;
    private readonly List<byte> pending = [];
    private readonly object writeLock = new();

    public MonitorChannel(int fd)
    {
        this.fd = fd;
    }

    public int Fd => fd;

    /// <summary>Sends a line; false when the other end is gone.</summary>
    public bool Send(string line)
    {
        try
        {
            lock (writeLock)
            {
                Files.WriteAll(fd, Encoding.UTF8.GetBytes(line.ReplaceLineEndings(" ") + "\n"));
            }

            return true;
        }
        catch (LinuxException)
        {
            return false;
        }
    }

    /// <summary>The next line, or null when the other end closed.</summary>
    public string? Receive()
    {
        byte[] buffer = new byte[4096];
        while (true)
        {
            int nl = pending.IndexOf((byte)'\n');
            if (nl >= 0)
            {
                string line = Encoding.UTF8.GetString(pending.GetRange(0, nl).ToArray());
                pending.RemoveRange(0, nl + 1);
                return line;
            }

            int n;
            try
            {
                n = Files.Read(fd, buffer);
            }
            catch (LinuxException)
            {
                return null;
            }

            if (n <= 0)
            {
                return null;
            }

            pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }
    }

    public void Dispose() => Files.Close(fd);
}
