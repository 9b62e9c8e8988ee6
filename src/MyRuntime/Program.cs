using System.CommandLine;
using System.Reflection;
using MyRuntime.Cli;
using MyRuntime.Commands.Images;
using MyRuntime.Commands.Oci;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "__init")
        {
            return MyRuntime.Engine.Init.MiniInit.Run(args[1..]);
        }

        MyRuntime.Runtime.Timing.Mark("main");
        var g = new GlobalOptions();
        var root = new RootCommand("myruntime: a Linux container runtime (OCI runtime CLI, runc-compatible)");
        root.Options.Remove(root.Options.OfType<VersionOption>().First());
        var version = new Option<bool>("--version", "-v") { Description = "print the version" };
        root.Options.Add(version);
        g.AddTo(root);
        root.Subcommands.Add(CreateCommand.Build(g));
        root.Subcommands.Add(StartCommand.Build(g));
        root.Subcommands.Add(RunCommand.Build(g));
        root.Subcommands.Add(StateCommand.Build(g));
        root.Subcommands.Add(KillCommand.Build(g));
        root.Subcommands.Add(DeleteCommand.Build(g));
        root.Subcommands.Add(ExecCommand.Build(g));
        root.Subcommands.Add(ListCommand.Build(g));
        root.Subcommands.Add(PsCommand.Build(g));
        root.Subcommands.Add(SpecCommand.Build(g));
        root.Subcommands.Add(FeaturesCommand.Build(g));
        root.Subcommands.Add(PauseCommand.Build(g, pause: true));
        root.Subcommands.Add(PauseCommand.Build(g, pause: false));
        root.Subcommands.Add(UpdateCommand.Build(g));
        root.Subcommands.Add(EventsCommand.Build(g));
        root.Subcommands.Add(PullCommand.Build(g));
        root.Subcommands.Add(ImagesCommand.Build(g, "images"));
        root.Subcommands.Add(RmiCommand.Build(g, "rmi"));
        root.Subcommands.Add(ImageCommand.Build(g));
        root.Subcommands.Add(LoginCommand.Build(g));
        root.Subcommands.Add(LoginCommand.BuildLogout(g));
        root.Subcommands.Add(LoadCommand.Build(g));
        root.Subcommands.Add(SaveCommand.Build(g));
        root.Subcommands.Add(ImportCommand.Build(g));
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

        var result = root.Parse(ArgumentSplitter.Split(root, args));
        if (result.Errors.Count > 0 && !args.Contains("--help") && !args.Contains("-h"))
        {
            var log = g.LogOf(result);
            log.Error(result.Errors[0].Message);
            return 1;
        }

        return result.Invoke();
    }
}
