using System.CommandLine;
using System.CommandLine.Help;
using System.Reflection;
using MyRuntime.Cli;
using MyRuntime.Commands.Engine;
using MyRuntime.Commands.Images;
using MyRuntime.Commands.Oci;
using MyRuntime.Engine.Monitor;
using MyRuntime.Engine.Rootless;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime;

public static class Program
{
    public static int Main(string[] args)
    {
        // The two internal faces: a container's monitor, and --init's PID 1 inside a container.
        if (args.Length > 0 && args[0] == ContainerMonitor.Verb)
        {
            return ContainerMonitor.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == RootlessSession.PauseVerb)
        {
            return RootlessSession.Pause();
        }

        if (args.Length > 0 && args[0] == MyRuntime.Engine.Init.InitMount.DispatchWord)
        {
            return MyRuntime.Engine.Init.MiniInit.Run(args[1..]);
        }

        MyRuntime.Runtime.Timing.Mark("main");
        bool oci = CliMode.IsOci(args);
        if (!oci && RootlessSession.Needed && !args.Any(a => a is "--help" or "--version" or "-v"))
        {
            return RunRootless(args);
        }

        var g = new GlobalOptions();
        var root = new RootCommand("myruntime: a Linux container engine (Docker-like commands) and OCI runtime (runc-compatible commands)");
        root.Options.Remove(root.Options.OfType<VersionOption>().First());
        var version = new Option<bool>("--version", "-v") { Description = "print the version" };
        root.Options.Add(version);
        g.AddTo(root);
        root.Options.Add(EngineCli.RunRoot);
        if (oci)
        {
            AddOciVerbs(root, g);
        }
        else
        {
            // Docker's -h is run's --hostname: help is --help only.
            root.Options.OfType<HelpOption>().First().Aliases.Remove("-h");
            AddEngineVerbs(root, g);
        }

        AddCommonVerbs(root, g);
        root.SetAction(r =>
        {
            if (r.GetValue(version))
            {
                string v = typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
                Console.Out.WriteLine($"myruntime version {v.Split('+')[0]}");
                Console.Out.WriteLine($"spec: {SpecVersion.Current}");
                return 0;
            }

            Console.Error.WriteLine("myruntime: no command given; see myruntime --help");
            return 1;
        });

        IReadOnlySet<string> trailing = oci ? new HashSet<string> { "exec", "ps" } : new HashSet<string> { "exec", "run", "create" };
        var result = root.Parse(ArgumentSplitter.Split(root, args, trailing));

        // An unknown verb fails even with --help: engines probe features so (podman's `checkpoint --help`).
        bool unknownVerb = result.CommandResult.Command == root && result.UnmatchedTokens.Count > 0;
        if (unknownVerb && result.UnmatchedTokens[0] is "checkpoint" or "restore")
        {
            g.LogOf(result).Error($"{result.UnmatchedTokens[0]}: checkpoint and restore are not supported");
            return 1;
        }

        if (unknownVerb || (result.Errors.Count > 0 && !args.Contains("--help") && !(oci && args.Contains("-h"))))
        {
            var log = g.LogOf(result);
            log.Error(result.Errors.Count > 0 ? result.Errors[0].Message : $"unknown command '{result.UnmatchedTokens[0]}'; see myruntime --help");
            return oci ? 1 : 125;
        }

        return result.Invoke();
    }

    /// <summary>The engine for an unprivileged user: this binary again in a user namespace of its own.</summary>
    private static int RunRootless(string[] args)
    {
        try
        {
            return RootlessSession.Run(MyRuntime.Engine.EngineContext.SelfPath, args);
        }
        catch (Exception e) when (e is MyRuntime.Engine.EngineException or MyRuntime.Linux.LinuxException)
        {
            Console.Error.WriteLine($"myruntime: {e.Message}");
            return 125;
        }
    }

    /// <summary>runc's meaning of the verbs both faces have.</summary>
    private static void AddOciVerbs(RootCommand root, GlobalOptions g)
    {
        root.Subcommands.Add(CreateCommand.Build(g));
        root.Subcommands.Add(StartCommand.Build(g));
        root.Subcommands.Add(RunCommand.Build(g));
        root.Subcommands.Add(KillCommand.Build(g));
        root.Subcommands.Add(ExecCommand.Build(g));
        root.Subcommands.Add(PsCommand.Build(g));
        root.Subcommands.Add(PauseCommand.Build(g, pause: true));
    }

    /// <summary>Docker's verbs.</summary>
    private static void AddEngineVerbs(RootCommand root, GlobalOptions g)
    {
        root.Subcommands.Add(ContainerRunCommand.BuildRun(g));
        root.Subcommands.Add(ContainerRunCommand.BuildCreate(g));
        root.Subcommands.Add(ContainerStartCommand.Build(g));
        root.Subcommands.Add(ContainerKillCommand.Build(g));
        root.Subcommands.Add(ContainerExecCommand.Build(g));
        root.Subcommands.Add(ContainerPsCommand.Build(g));
        root.Subcommands.Add(ContainerPauseCommand.Build(g, pause: true));
    }

    /// <summary>The verbs with one meaning: the rest of runc's, the rest of Docker's, and the image commands.</summary>
    private static void AddCommonVerbs(RootCommand root, GlobalOptions g)
    {
        root.Subcommands.Add(StateCommand.Build(g));
        root.Subcommands.Add(DeleteCommand.Build(g));
        root.Subcommands.Add(ListCommand.Build(g));
        root.Subcommands.Add(SpecCommand.Build(g));
        root.Subcommands.Add(FeaturesCommand.Build(g));
        root.Subcommands.Add(PauseCommand.Build(g, pause: false));
        root.Subcommands.Add(UpdateCommand.Build(g));
        root.Subcommands.Add(EventsCommand.Build(g));
        foreach (var verb in ContainerCommand.Verbs(g))
        {
            root.Subcommands.Add(verb);
        }

        root.Subcommands.Add(ContainerCommand.Build(g));
        root.Subcommands.Add(NetworkCommand.Build(g));
        root.Subcommands.Add(PullCommand.Build(g));
        root.Subcommands.Add(ImagesCommand.Build(g, "images"));
        root.Subcommands.Add(RmiCommand.Build(g, "rmi"));
        root.Subcommands.Add(ImageCommand.Build(g));
        root.Subcommands.Add(LoginCommand.Build(g));
        root.Subcommands.Add(LoginCommand.BuildLogout(g));
        root.Subcommands.Add(LoadCommand.Build(g));
        root.Subcommands.Add(SaveCommand.Build(g));
        root.Subcommands.Add(ImportCommand.Build(g));
    }
}
