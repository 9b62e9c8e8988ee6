using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Engine;
using MyRuntime.Engine.Lifecycle;
using MyRuntime.Linux;
using MyRuntime.Runtime;

namespace MyRuntime.Commands.Engine;

/// <summary>What the engine's commands share: the engine context from the global flags, and error handling that
/// turns every failure into one line on stderr and Docker's exit status.</summary>
public static class EngineCli
{
    /// <summary>--runroot: where the runtime core keeps the state of the engine's running containers.</summary>
    public static Option<string> RunRoot { get; } = new("--runroot")
    {
        Description = "state directory of running containers (default $MYRUNTIME_RUNROOT or /run/myruntime)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MYRUNTIME_RUNROOT") is { Length: > 0 } v ? v : RuntimeContext.DefaultRoot,
        Recursive = true,
    };

    public static EngineContext ContextOf(GlobalOptions g, ParseResult r) =>
        new(r.GetValue(g.StorageRoot)!, r.GetValue(RunRoot)!, g.LogOf(r));

    /// <summary>Runs an engine command; <paramref name="failureCode"/> is the exit status of an error (125 for run
    /// and create, as Docker).</summary>
    public static int Run(GlobalOptions g, ParseResult r, Func<EngineContext, int> action, int failureCode = 1)
    {
        var log = g.LogOf(r);
        try
        {
            return action(ContextOf(g, r));
        }
        catch (StartFailedException e)
        {
            log.Error(e.Message.ReplaceLineEndings(" "));
            return e.ExitCode;
        }
        catch (Exception e) when (e is EngineException or RuntimeException or MyRuntime.Images.ImagesException or MyRuntime.Network.NetworkException or LinuxException or IOException or UnauthorizedAccessException)
        {
            log.Error(e.Message.ReplaceLineEndings(" "));
            return failureCode;
        }
    }

    /// <summary>Runs an action for each named container, Docker's way: prints what succeeded, one error line per
    /// failure, exit 1 if any failed.</summary>
    public static int ForEach(GlobalOptions g, ParseResult r, IEnumerable<string> names, Action<EngineContext, string> action)
    {
        var log = g.LogOf(r);
        var ctx = ContextOf(g, r);
        int rc = 0;
        foreach (string name in names)
        {
            try
            {
                action(ctx, name);
            }
            catch (Exception e) when (e is EngineException or RuntimeException or MyRuntime.Images.ImagesException or MyRuntime.Network.NetworkException or LinuxException or IOException or StartFailedException)
            {
                log.Error(e.Message.ReplaceLineEndings(" "));
                rc = 1;
            }
        }

        return rc;
    }
}
