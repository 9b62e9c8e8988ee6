using System.Text;

namespace MyRuntime.Linux.Spawn;

/// <summary>Runs a helper program to its end (iptables and the like): its stdin from a string, its stdout and
/// stderr captured, waited for by its pid only.</summary>
public static class ProgramRunner
{
    private static readonly string[] Environment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"];

    /// <summary>Runs <paramref name="path"/> with <paramref name="args"/> (the arguments after the program's name),
    /// <paramref name="stdin"/> on its standard input (/dev/null when null), and returns its exit code (128+N when
    /// killed by signal N; 127 when it could not be executed) with everything it wrote.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string path, IReadOnlyList<string> args, string? stdin = null)
    {
        int inRead = -1, inWrite = -1, outRead = -1, outWrite = -1, errRead = -1, errWrite = -1;
        try
        {
            if (stdin is null)
            {
                inRead = Files.Open("/dev/null", Files.O_RDONLY);
            }
            else
            {
                (inRead, inWrite) = Files.Pipe();
            }

            (outRead, outWrite) = Files.Pipe();
            (errRead, errWrite) = Files.Pipe();
            int pid = Spawner.Start(new SpawnOptions
            {
                Path = path,
                Args = [path, .. args],
                Env = Environment,
                Stdin = inRead,
                Stdout = outWrite,
                Stderr = errWrite,
            });

            CloseAndForget(ref inRead);
            CloseAndForget(ref outWrite);
            CloseAndForget(ref errWrite);

            byte[] stderr = [];
            var errReader = new Thread(() => stderr = ReadToEnd(errRead)) { IsBackground = true, Name = "program-stderr" };
            errReader.Start();
            if (inWrite >= 0)
            {
                int writeEnd = inWrite;
                inWrite = -1;
                var writer = new Thread(() => WriteAndClose(writeEnd, stdin!)) { IsBackground = true, Name = "program-stdin" };
                writer.Start();
                byte[] stdout = ReadToEnd(outRead);
                writer.Join();
                errReader.Join();
                return (Processes.WaitForExit(pid), Encoding.UTF8.GetString(stdout), Encoding.UTF8.GetString(stderr));
            }
            else
            {
                byte[] stdout = ReadToEnd(outRead);
                errReader.Join();
                return (Processes.WaitForExit(pid), Encoding.UTF8.GetString(stdout), Encoding.UTF8.GetString(stderr));
            }
        }
        finally
        {
            Files.Close(inRead);
            Files.Close(inWrite);
            Files.Close(outRead);
            Files.Close(outWrite);
            Files.Close(errRead);
            Files.Close(errWrite);
        }
    }

    private static void CloseAndForget(ref int fd)
    {
        Files.Close(fd);
        fd = -1;
    }

    private static void WriteAndClose(int fd, string text)
    {
        try
        {
            Files.WriteAll(fd, Encoding.UTF8.GetBytes(text));
        }
        catch (LinuxException)
        {
            // The program left without reading all of its input (EPIPE): its exit code tells the rest.
        }
        finally
        {
            Files.Close(fd);
        }
    }

    private static byte[] ReadToEnd(int fd)
    {
        using var all = new MemoryStream();
        byte[] buffer = new byte[16384];
        while (true)
        {
            int n = Files.Read(fd, buffer);
            if (n <= 0)
            {
                return all.ToArray();
            }

            all.Write(buffer, 0, n);
        }
    }
}
