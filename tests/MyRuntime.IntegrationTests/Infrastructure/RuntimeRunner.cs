using System.Diagnostics;
using System.Text;

namespace MyRuntime.IntegrationTests.Infrastructure;

/// <summary>Outcome of one finished runtime invocation.</summary>
public sealed record ProcResult(string CommandLine, int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>Non-empty (after trimming) lines written to stderr.</summary>
    public IReadOnlyList<string> StderrLines => SplitLines(Stderr);

    /// <summary>Non-empty (after trimming) lines written to stdout, trimmed.</summary>
    public IReadOnlyList<string> StdoutLines => SplitLines(Stdout);

    public static IReadOnlyList<string> SplitLines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd('\r').Trim()).Where(l => l.Length > 0).ToArray();

    public override string ToString() =>
        $"$ {CommandLine}\n[exit {ExitCode} after {Elapsed.TotalMilliseconds:F0} ms]\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}\n--------------";
}

/// <summary>A runtime invocation still running in the background (e.g. a foreground <c>run</c>).</summary>
public sealed class RunningProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _stdoutPath;
    private readonly string _stderrPath;
    private readonly string _commandLine;
    private readonly Stopwatch _stopwatch;
    private ProcResult? _result;

    internal RunningProcess(Process process, string commandLine, string stdoutPath, string stderrPath)
    {
        _process = process;
        _commandLine = commandLine;
        _stdoutPath = stdoutPath;
        _stderrPath = stderrPath;
        _stopwatch = Stopwatch.StartNew();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string CurrentStdout => ReadAll(_stdoutPath);

    public string CurrentStderr => ReadAll(_stderrPath);

    /// <summary>Waits for exit; on timeout kills the process tree and throws.</summary>
    public ProcResult WaitForExit(TimeSpan timeout)
    {
        if (_result is not null)
        {
            return _result;
        }

        if (!_process.WaitForExit((int)timeout.TotalMilliseconds))
        {
            KillTree();
            throw new TimeoutException(
                $"runtime did not exit within {timeout.TotalSeconds:F0}s: {_commandLine}\n--- stdout ---\n{CurrentStdout}\n--- stderr ---\n{CurrentStderr}");
        }

        _process.WaitForExit(); // flush exit status bookkeeping (no redirected streams, so this is immediate)
        _result = new ProcResult(_commandLine, _process.ExitCode, ReadAll(_stdoutPath), ReadAll(_stderrPath), _stopwatch.Elapsed);
        return _result;
    }

    public void KillTree()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

    public void Dispose()
    {
        KillTree();
        _process.Dispose();
    }

    private static string ReadAll(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(fs, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return "";
        }
    }
}

/// <summary>
/// Runs the runtime binary with a private <c>--root</c>. The runtime's stdin/stdout/stderr are
/// plain files (not pipes): a detached container that inherits them can never make the test
/// wait for an EOF, and every wait has a timeout.
/// </summary>
public sealed class RuntimeRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20 * TestSettings.TimeoutScale);

    /// <summary>Environment variable put into every runtime invocation to find leftover processes.</summary>
    public const string TokenVariable = "MYRUNTIME_IT_TOKEN";

    private readonly string _ioDir;
    private int _counter;

    public RuntimeRunner(string binary, string rootDir, string ioDir, string token)
    {
        Binary = binary;
        RootDir = rootDir;
        _ioDir = ioDir;
        Token = token;
        Directory.CreateDirectory(ioDir);
    }

    public string Binary { get; }

    public string RootDir { get; }

    public string Token { get; }

    /// <summary>Runs <c>BIN --root ROOT args...</c> and waits for it (with timeout).</summary>
    public ProcResult Run(IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        string? workingDirectory = null, IEnumerable<string>? globalArgs = null)
    {
        using var p = Start(args, stdin, workingDirectory, globalArgs);
        return p.WaitForExit(timeout ?? DefaultTimeout);
    }

    public ProcResult Run(params string[] args) => Run((IEnumerable<string>)args);

    /// <summary>Starts the runtime without waiting; the caller must WaitForExit/Dispose.</summary>
    public RunningProcess Start(IEnumerable<string> args, string? stdin = null, string? workingDirectory = null,
        IEnumerable<string>? globalArgs = null)
    {
        var n = Interlocked.Increment(ref _counter);
        var inPath = Path.Combine(_ioDir, $"{n}.stdin");
        var outPath = Path.Combine(_ioDir, $"{n}.stdout");
        var errPath = Path.Combine(_ioDir, $"{n}.stderr");
        File.WriteAllText(inPath, stdin ?? "");
        File.WriteAllText(outPath, "");
        File.WriteAllText(errPath, "");

        var fullArgs = new List<string> { "--root", RootDir };
        if (globalArgs is not null)
        {
            fullArgs.AddRange(globalArgs);
        }

        fullArgs.AddRange(args);

        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? _ioDir,
        };
        // sh redirects the three standard streams to files and then execs the runtime,
        // so the process we wait for *is* the runtime.
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("in=$1 out=$2 err=$3; shift 3; exec \"$@\" <\"$in\" >\"$out\" 2>\"$err\"");
        psi.ArgumentList.Add("it-runner");
        psi.ArgumentList.Add(inPath);
        psi.ArgumentList.Add(outPath);
        psi.ArgumentList.Add(errPath);
        psi.ArgumentList.Add(Binary);
        foreach (var a in fullArgs)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment[TokenVariable] = Token;

        var commandLine = string.Join(' ', new[] { Binary }.Concat(fullArgs).Select(Quote));
        var process = Process.Start(psi) ?? throw new InvalidOperationException("failed to start " + commandLine);
        return new RunningProcess(process, commandLine, outPath, errPath);
    }

    private static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "-_./=:,@+".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}
