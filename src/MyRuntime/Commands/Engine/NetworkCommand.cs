using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MyRuntime.Cli;
using MyRuntime.Engine;
using MyRuntime.Network.Networks;

namespace MyRuntime.Commands.Engine;

/// <summary>network create|ls|inspect|rm|prune: Docker's bridge networks (one Linux bridge and subnet each).</summary>
public static class NetworkCommand
{
    public static Command Build(GlobalOptions g)
    {
        var cmd = new Command("network", "manage networks");
        cmd.Subcommands.Add(Create(g));
        cmd.Subcommands.Add(List(g));
        cmd.Subcommands.Add(Inspect(g));
        cmd.Subcommands.Add(Remove(g));
        cmd.Subcommands.Add(Prune(g));
        return cmd;
    }

    private static Command Create(GlobalOptions g)
    {
        var name = new Argument<string>("name");
        var subnet = new Option<string?>("--subnet") { Description = "subnet in CIDR format (default: a free /24 of 10.67.0.0/16)" };
        var gateway = new Option<string?>("--gateway") { Description = "gateway for the subnet (default: its first address)" };
        var driver = new Option<string>("--driver", "-d") { Description = "driver to manage the network (bridge)", DefaultValueFactory = _ => "bridge" };
        var label = new Option<List<string>>("--label") { Description = "set metadata on a network" };
        var cmd = new Command("create", "create a network") { name, subnet, gateway, driver, label };
        cmd.SetAction(r => EngineCli.Run(g, r, ctx =>
        {
            if (r.GetValue(driver) != "bridge")
            {
                throw new EngineException($"network driver {r.GetValue(driver)} is not supported: only bridge");
            }

            var labels = (r.GetValue(label) ?? []).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
            var network = ctx.Networks.Create(r.GetValue(name)!, r.GetValue(subnet), r.GetValue(gateway), labels);
            Console.Out.WriteLine(network.Id);
            return 0;
        }));
        return cmd;
    }

    private static Command List(GlobalOptions g)
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "only display network ids" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "do not truncate the output" };
        var cmd = new Command("ls", "list networks") { quiet, noTrunc };
        cmd.Aliases.Add("list");
        cmd.SetAction(r => EngineCli.Run(g, r, ctx =>
        {
            bool full = r.GetValue(noTrunc);
            var networks = ctx.Networks.Store.List();
            if (r.GetValue(quiet))
            {
                networks.ToList().ForEach(n => Console.Out.WriteLine(full ? n.Id : n.Id[..12]));
                return 0;
            }

            var rows = new List<string[]> { new[] { "NETWORK ID", "NAME", "DRIVER", "SCOPE" } };
            rows.AddRange(networks.Select(n => new[] { full ? n.Id : n.Id[..12], n.Name, n.Driver, "local" }));
            Table.Write(rows);
            return 0;
        }));
        return cmd;
    }

    private static Command Inspect(GlobalOptions g)
    {
        var names = new Argument<string[]>("network") { Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("inspect", "display detailed information on one or more networks") { names };
        cmd.SetAction(r =>
        {
            var found = new List<NetworkConfig>();
            int rc = EngineCli.ForEach(g, r, r.GetValue(names)!, (ctx, n) => found.Add(ctx.Networks.Resolve(n)));
            var store = EngineCli.ContextOf(g, r).Networks.Store;
            using (var stdout = Console.OpenStandardOutput())
            using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartArray();
                found.ForEach(n => Write(w, store, n));
                w.WriteEndArray();
            }

            Console.Out.WriteLine();
            return rc;
        });
        return cmd;
    }

    private static Command Remove(GlobalOptions g)
    {
        var names = new Argument<string[]>("network") { Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("rm", "remove one or more networks") { names };
        cmd.Aliases.Add("remove");
        cmd.SetAction(r => EngineCli.ForEach(g, r, r.GetValue(names)!, (ctx, n) =>
        {
            ctx.Networks.Remove(n);
            Console.Out.WriteLine(n);
        }));
        return cmd;
    }

    private static Command Prune(GlobalOptions g)
    {
        var force = new Option<bool>("--force", "-f") { Description = "do not prompt for confirmation" };
        var cmd = new Command("prune", "remove all unused user-defined networks") { force };
        cmd.SetAction(r => EngineCli.Run(g, r, ctx =>
        {
            var removed = new List<string>();
            foreach (var network in ctx.Networks.Store.List().Where(n => !n.IsDefault && ctx.Networks.Store.Endpoints(n).Count == 0))
            {
                ctx.Networks.Remove(network.Id);
                removed.Add(network.Name);
            }

            if (removed.Count > 0)
            {
                Console.Out.WriteLine("Deleted Networks:");
                removed.ForEach(Console.Out.WriteLine);
            }

            return 0;
        }));
        return cmd;
    }

    /// <summary>Docker's shape of network inspect.</summary>
    private static void Write(Utf8JsonWriter w, NetworkStore store, NetworkConfig n)
    {
        w.WriteStartObject();
        w.WriteString("Name", n.Name);
        w.WriteString("Id", n.Id);
        w.WriteString("Created", n.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        w.WriteString("Scope", "local");
        w.WriteString("Driver", n.Driver);
        w.WriteBoolean("EnableIPv6", false);
        w.WriteStartObject("IPAM");
        w.WriteString("Driver", "default");
        w.WriteStartArray("Config");
        w.WriteStartObject();
        w.WriteString("Subnet", n.Subnet);
        w.WriteString("Gateway", n.Gateway);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteBoolean("Internal", false);
        w.WriteStartObject("Containers");
        foreach (var e in store.Endpoints(n).OrderBy(e => e.ContainerName, StringComparer.Ordinal))
        {
            w.WriteStartObject(e.ContainerId);
            w.WriteString("Name", e.ContainerName);
            w.WriteString("IPv4Address", $"{e.Address}/{e.PrefixLength}");
            w.WriteString("HostInterface", e.HostVeth);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteStartObject("Options");
        w.WriteString("com.docker.network.bridge.name", n.Bridge);
        w.WriteEndObject();
        w.WriteStartObject("Labels");
        foreach (var (k, v) in n.Labels)
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }
}
