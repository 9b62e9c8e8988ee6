using System.Collections;
using MyRuntime.Linux;
using MyRuntime.Linux.Spawn;

namespace MyRuntime.Engine.Init;

/// <summary>
/// A minimal init for PID 1 of a container (the role of tini and docker-init): it starts the command as its child
/// in the child's own process group (the terminal's foreground group when stdin is a terminal), passes every
/// catchable signal it receives on to that child, reaps every child that ends (orphans reparented to it included)
/// and exits with the command's status (128+N when a signal N killed it). Outside PID 1 it makes itself a child
/// subreaper so that orphans still come to it.
/// </summary>
public static class MiniInit
{
    /// <summary>Runs the init. args: the arguments after the dispatch word ("__init"), an optional "--" and then
    /// the command. Returns the exit code for the process.</summary>
    public static int Run(IReadOnlyList<string> args)
    {
        Sessions.UnblockAllSignals();
        var command = InitCommand.Parse(args);
        if (command is null)
        {
            Console.Error.WriteLine("myruntime-init: usage: myruntime __init -- COMMAND [ARG...]");
            return 1;
        }

        var (path, denied) = InitCommand.Resolve(command[0], System.Environment.GetEnvironmentVariable("PATH"), File.Exists, Files.IsExecutable);
        if (path is null)
        {
            Console.Error.WriteLine($"myruntime-init: {command[0]}: {(denied ? "permission denied" : "no such file or directory")}");
            return denied ? 126 : 127;
        }

        using var signals = new InitSignals();
        if (Processes.GetPid() != 1)
        {
            Processes.SetChildSubreaper();
        }

        int child;
        try
        {
            child = Spawner.Start(new SpawnOptions
            {
                Path = path,
                Args = command,
                Env = EnvironmentList(),
                Inherit = Descriptors.Inheritable(),
                NewProcessGroup = true,
                ForegroundTerminal = Terminals.IsTerminal(0) ? 0 : -1,
            });
        }
        catch (LinuxException e)
        {
            Console.Error.WriteLine($"myruntime-init: start {command[0]}: {e.Message}");
            return 1;
        }

        signals.Target(child);
        return Reap(child);
    }

    /// <summary>Reaps children until child ends; then collects the others that already ended and returns child's
    /// decoded status.</summary>
    private static int Reap(int child)
    {
        int code = 1;
        while (Processes.WaitAny(noHang: false) is { } ended)
        {
            if (ended.Pid == child)
            {
                code = Processes.DecodeStatus(ended.Status);
                break;
            }
        }

        while (Processes.WaitAny(noHang: true) is { Pid: > 0 })
        {
        }

        return code;
    }

    private static List<string> EnvironmentList()
    {
        var env = new List<string>();
        foreach (DictionaryEntry e in System.Environment.GetEnvironmentVariables())
        {
            env.Add($"{e.Key}={e.Value}");
        }

        return env;
    }
}
