using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Engine;

namespace MyRuntime.Commands.Engine;

/// <summary>port CONTAINER [PRIVATE_PORT[/PROTO]]: the container's published ports, as <c>80/tcp -> 0.0.0.0:8080</c>.</summary>
public static class ContainerPortCommand
{
    public static Command Build(GlobalOptions g)
    {
        var container = new Argument<string>("container");
        var privatePort = new Argument<string?>("private-port") { Arity = ArgumentArity.ZeroOrOne, Description = "PORT[/PROTO] (tcp by default)" };
        var cmd = new Command("port", "list port mappings or a specific mapping for the container") { container, privatePort };
        cmd.SetAction(r => EngineCli.Run(g, r, ctx =>
        {
            var record = MyRuntime.Engine.Lifecycle.Reconciler.Refresh(ctx, ctx.Containers.Find(r.GetValue(container)!));
            var ports = record.State.Network?.Ports ?? [];
            if (r.GetValue(privatePort) is { } wanted)
            {
                string[] parts = wanted.Split('/');
                string proto = parts.Length > 1 ? parts[1].ToLowerInvariant() : "tcp";
                if (!int.TryParse(parts[0], out int port) || port is < 1 or > 65535 || proto is not ("tcp" or "udp") || parts.Length > 2)
                {
                    throw new EngineException($"invalid port \"{wanted}\": expected PORT[/tcp|/udp]");
                }

                ports = ports.Where(p => p.ContainerPort == port && p.Protocol == proto).ToList();
                if (ports.Count == 0)
                {
                    throw new EngineException($"No public port '{port}/{proto}' published for {record.Name}");
                }

                ports.ForEach(p => Console.Out.WriteLine($"{p.HostIp}:{p.HostPort}"));
                return 0;
            }

            ports.ForEach(p => Console.Out.WriteLine(p.ToString()));
            return 0;
        }));
        return cmd;
    }
}
