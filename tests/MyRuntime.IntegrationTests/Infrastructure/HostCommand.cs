using System.Diagnostics;

namespace MyRuntime.IntegrationTests.Infrastructure;

/// <summary>Runs a short-lived host tool (ipcmk, ipcrm, ...) with a timeout.</summary>
public static class HostCommand
{
    public static ProcResult Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not exit within 30s");
        }

        p.WaitForExit();
        Task.WaitAll(new Task[] { stdout, stderr }, 5_000);
        return new ProcResult(file + " " + string.Join(' ', args), p.ExitCode,
            stdout.IsCompleted ? stdout.Result : "", stderr.IsCompleted ? stderr.Result : "", sw.Elapsed);
    }
}
