using System.Text.Json;
using MyRuntime.Engine.Bundle;
using MyRuntime.Engine.Containers;
using MyRuntime.Linux;
using MyRuntime.Oci;
using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime.Container;
using ContainerStatus = MyRuntime.Engine.Containers.ContainerStatus;

namespace MyRuntime.Engine.Lifecycle;

/// <summary>exec's flags.</summary>
public sealed class ExecRequest
{
    public required IReadOnlyList<string> Command { get; init; }

    public bool Detach { get; init; }

    public bool Interactive { get; init; }

    public bool Tty { get; init; }

    public IReadOnlyList<string> Env { get; init; } = [];

    public string? WorkingDir { get; init; }

    public string? User { get; init; }

    public bool Privileged { get; init; }
}

/// <summary>exec: a new process in a running container, with the container's process settings (environment,
/// user, capabilities) unless the flags change them.</summary>
public static class ContainerExec
{
    /// <summary>The process's exit status; null when detached.</summary>
    public static int? Exec(EngineContext ctx, ContainerRecord record, ExecRequest request)
    {
        var r = Reconciler.Refresh(ctx, record);
        if (r.State.Status == ContainerStatus.Paused)
        {
            throw new EngineException($"container {r.Name} is paused, unpause the container before exec");
        }

        if (r.State.Status != ContainerStatus.Running)
        {
            throw new EngineException($"container {r.Name} is not running");
        }

        if (request.Command.Count == 0)
        {
            throw new EngineException("exec needs a command to run");
        }

        if (request.Detach && request.Tty)
        {
            throw new EngineException("exec with both --detach and --tty is not supported");
        }

        var spec = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(r.BundleDir, "config.json")), OciJson.Default.Spec)
            ?? throw new EngineException($"container {r.Name}: its config.json is empty");
        var process = spec.Process ?? new Process();
        process.Args = [.. request.Command];
        process.Terminal = request.Tty;
        process.ConsoleSize = null;
        var env = (process.Env ?? []).ToList();
        foreach (string e in request.Env)
        {
            int eq = e.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? e : e[..eq];
            string? value = eq < 0 ? Environment.GetEnvironmentVariable(key) is { } v ? $"{key}={v}" : null : e;
            env.RemoveAll(x => x == key || x.StartsWith(key + "=", StringComparison.Ordinal));
            if (value is not null)
            {
                env.Add(value);
            }
        }

        process.Env = env;
        if (request.WorkingDir is { } w)
        {
            process.Cwd = w.StartsWith('/') ? w : throw new EngineException($"invalid --workdir '{w}': it must be an absolute path");
        }

        if (request.User is { } u)
        {
            var user = UserResolver.Resolve(u, $"/proc/{r.State.Pid}/root");
            process.User = new User { Uid = user.Uid, Gid = user.Gid, AdditionalGids = user.AdditionalGids.Count > 0 ? [.. user.AdditionalGids] : null };
        }

        if (request.Privileged)
        {
            var all = DockerCapabilities.Compute([], [], privileged: true, Capabilities.LastCap(), Capabilities.BoundingSet());
            process.Capabilities = new LinuxCapabilities { Bounding = [.. all], Effective = [.. all], Permitted = [.. all] };
        }

        int devNull = request.Interactive && !request.Detach ? -1 : Files.Open("/dev/null", Files.O_RDWR);
        try
        {
            return Executor.Exec(ctx.Runtime, new ExecOptions
            {
                Id = r.Id,
                Process = process,
                Detach = request.Detach,
                Stdin = devNull,
                Stdout = request.Detach ? devNull : -1,
                Stderr = request.Detach ? devNull : -1,
            });
        }
        finally
        {
            Files.Close(devNull);
        }
    }
}
