using System.Diagnostics;
using System.Text;

namespace MyRuntime.IntegrationTests.Infrastructure;

/// <summary>
/// Runs the runtime through a bash wrapper that first executes a <em>prelude</em> (open extra
/// descriptors, export LISTEN_PID=$$, ignore signals, ...) and then <c>exec</c>s the runtime, so the
/// runtime inherits exactly that process state (and the pid of the wrapper). Same conventions as
/// <see cref="RuntimeRunner"/>: private <c>--root</c>, the test token in the environment, stdio on files,
/// and a timeout that kills the process tree.
/// </summary>
public static class ShellWrappedRuntime
{
    private static int s_counter;

    public static ProcResult Run(TestEnv env, string prelude, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var ioDir = Path.Combine(env.TempDir, "wrapped-io");
        Directory.CreateDirectory(ioDir);
        var n = Interlocked.Increment(ref s_counter);
        var outPath = Path.Combine(ioDir, $"{n}.stdout");
        var errPath = Path.Combine(ioDir, $"{n}.stderr");
        File.WriteAllText(outPath, "");
        File.WriteAllText(errPath, "");

        var fullArgs = new List<string> { env.Runtime.Binary, "--root", env.RootDir };
        fullArgs.AddRange(args);

        var psi = new ProcessStartInfo("/bin/bash")
        {
            UseShellExecute = false,
            WorkingDirectory = ioDir,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"out=$1 err=$2; shift 2; {prelude}\nexec \"$@\" </dev/null >\"$out\" 2>\"$err\"");
        psi.ArgumentList.Add("it-wrapper");
        psi.ArgumentList.Add(outPath);
        psi.ArgumentList.Add(errPath);
        foreach (var a in fullArgs)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("LISTEN_FDS");
        psi.Environment.Remove("LISTEN_PID");
        psi.Environment.Remove("LISTEN_FDNAMES");
        psi.Environment[RuntimeRunner.TokenVariable] = env.Token;
        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                psi.Environment[k] = v;
            }
        }

        var commandLine = $"bash -c '{prelude}; exec ...' " + string.Join(' ', fullArgs);
        var limit = timeout ?? RuntimeRunner.DefaultTimeout;
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + commandLine);
        if (!p.WaitForExit((int)limit.TotalMilliseconds))
        {
            try
            {
                p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            throw new TimeoutException($"did not exit within {limit.TotalSeconds:F0}s: {commandLine}\n--- stdout ---\n{ReadAll(outPath)}\n--- stderr ---\n{ReadAll(errPath)}");
        }

        p.WaitForExit();
        return new ProcResult(commandLine, p.ExitCode, ReadAll(outPath), ReadAll(errPath), sw.Elapsed);
    }

    private static string ReadAll(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(fs, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
