using System.Diagnostics;

namespace MyRuntime.IntegrationTests.Infrastructure.Registry;

/// <summary>A <c>myruntime pull</c> started in the background with an <see cref="ImageCli"/>'s storage root and
/// credentials, its stdout lines collected as they come, to be killed at a chosen moment. Killed (SIGKILL) and
/// reaped on dispose if still running.</summary>
public sealed class PullProcess : IDisposable
{
    private readonly Process process;
    private readonly Lock gate = new();
    private readonly List<string> lines = [];
    private readonly ManualResetEventSlim changed = new();

    public PullProcess(ImageCli cli, string reference)
    {
        var psi = new ProcessStartInfo(TestSettings.RuntimeBinary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in new[] { "--storage-root", cli.StorageRoot, "pull", reference })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["MYRUNTIME_AUTH_FILE"] = cli.AuthFile;
        psi.Environment["DOCKER_CONFIG"] = Path.Combine(cli.Dir, "docker-config");
        process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (gate)
                {
                    lines.Add(e.Data);
                }

                changed.Set();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Pid = process.Id;
    }

    public int Pid { get; }

    public bool HasExited => process.HasExited;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (gate)
            {
                return lines.ToArray();
            }
        }
    }

    /// <summary>Waits until a stdout line contains <paramref name="text"/> (true) or the process exits or the
    /// timeout passes (false).</summary>
    public bool WaitForLine(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            changed.Reset();
            if (Lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
            {
                return true;
            }

            if (process.HasExited)
            {
                return false;
            }

            changed.Wait(TimeSpan.FromMilliseconds(20));
        }

        return false;
    }

    /// <summary>SIGKILL to the pull's PID, then waits until it is reaped; true when it was still running.</summary>
    public bool KillNow()
    {
        bool wasRunning = !process.HasExited;
        if (wasRunning)
        {
            try
            {
                process.Kill(); // SIGKILL to this PID only
            }
            catch (InvalidOperationException)
            {
                wasRunning = false; // it exited in between
            }
        }

        if (!process.WaitForExit(30_000))
        {
            throw new TimeoutException($"pull (pid {Pid}) did not die after SIGKILL");
        }

        process.WaitForExit();
        return wasRunning;
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
        changed.Dispose();
    }
}
