using System.Text.Json;
using MyRuntime.Linux;
using MyRuntime.Linux.Spawn;
using MyRuntime.Oci;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Hooks;

/// <summary>Runs OCI hooks: the hook's path, args and env exactly as given, the container state on stdin,
/// killed when its timeout passes.</summary>
public static class HookRunner
{
    public static void RunAll(string phase, IReadOnlyList<Hook>? hooks, State state)
    {
        if (hooks is null || hooks.Count == 0)
        {
            return;
        }

        byte[] stateJson = JsonSerializer.SerializeToUtf8Bytes(state, OciJson.Default.State);
        foreach (var hook in hooks)
        {
            Run(phase, hook, stateJson);
        }
    }

    /// <summary>
    /// Runs every hook of a phase whose failures must not stop anything (poststart, poststop): a hook
    /// that fails or times out is reported to <paramref name="warn"/> and the next one still runs.
    /// </summary>
    public static void RunAllWarning(string phase, IReadOnlyList<Hook>? hooks, State state, Action<string> warn)
    {
        if (hooks is null || hooks.Count == 0)
        {
            return;
        }

        byte[] stateJson = JsonSerializer.SerializeToUtf8Bytes(state, OciJson.Default.State);
        foreach (var hook in hooks)
        {
            try
            {
                Run(phase, hook, stateJson);
            }
            catch (RuntimeException e)
            {
                warn(e.Message);
            }
        }
    }

    public static void Run(string phase, Hook hook, byte[] stateJson)
    {
        var (readEnd, writeEnd) = Files.Pipe();
        int pid;
        try
        {
            pid = Spawner.Start(new SpawnOptions
            {
                Path = hook.Path,
                Args = hook.Args is { Count: > 0 } a ? a : [hook.Path],
                Env = hook.Env ?? [],
                Stdin = readEnd,
            });
        }
        catch (LinuxException e)
        {
            Files.Close(readEnd);
            Files.Close(writeEnd);
            throw new RuntimeException($"{phase} hook {hook.Path}: {e.Message}");
        }

        Files.Close(readEnd);
        try
        {
            Files.WriteAll(writeEnd, stateJson);
        }
        catch (LinuxException)
        {
            // A hook that does not read its stdin is fine.
        }
        finally
        {
            Files.Close(writeEnd);
        }

        int status = WaitWithTimeout(pid, hook.Timeout);
        if (status == -1)
        {
            throw new RuntimeException($"{phase} hook {hook.Path} timed out after {hook.Timeout}s");
        }

        if (status != 0)
        {
            throw new RuntimeException($"{phase} hook {hook.Path} failed: exit status {status}");
        }
    }

    /// <summary>The exit status, or -1 when the timeout passed (the hook is then killed and reaped).</summary>
    private static int WaitWithTimeout(int pid, int? timeoutSeconds)
    {
        if (timeoutSeconds is not { } seconds)
        {
            return Processes.WaitForExit(pid);
        }

        int pidfd = Processes.PidfdOpen(pid);
        try
        {
            if (pidfd >= 0 && !Processes.WaitReadable(pidfd, seconds * 1000))
            {
                Processes.Kill(pid, Signals.SIGKILL);
                Processes.WaitForExit(pid);
                return -1;
            }

            return Processes.WaitForExit(pid);
        }
        finally
        {
            Files.Close(pidfd);
        }
    }
}
