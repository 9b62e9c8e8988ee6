using System.Text.Json;
using MyRuntime.Engine.Bundle;
using MyRuntime.Engine.Containers;
using MyRuntime.Engine.Images;
using MyRuntime.Images;
using MyRuntime.Images.Pull;
using MyRuntime.Oci;
using MyRuntime.Runtime;

namespace MyRuntime.Engine.Lifecycle;

/// <summary>What create (and run) is asked for.</summary>
public sealed class CreateRequest
{
    public required string Image { get; init; }

    public required RunOptions Options { get; init; }

    public ContainerSettings Settings { get; init; } = new();

    public PullPolicy Pull { get; init; } = PullPolicy.Missing;

    public Dictionary<string, string> Labels { get; init; } = [];

    /// <summary>-P: publish every port the image exposes on a free host port.</summary>
    public bool PublishAll { get; init; }
}

/// <summary>create: a container record, its overlay snapshot of the image, and its bundle (config.json and the
/// hostname/hosts/resolv.conf files) in ROOT/containers/ID. No process yet: start makes one. On failure nothing
/// of it is left.</summary>
public static class ContainerFactory
{
    public static ContainerRecord Create(EngineContext ctx, CreateRequest request, IPullProgress progress, Action<string>? onPull = null)
    {
        var (image, config) = ImageResolver.Ensure(ctx, request.Image, request.Pull, progress, onPull);
        Runtime.Timing.Mark("engine: image resolved");
        var settings = request.Settings;
        if (request.PublishAll && config.Config?.ExposedPorts is { Count: > 0 } exposed)
        {
            foreach (string port in exposed.Keys)
            {
                var published = Networking.ExposedPort.Parse(port);
                if (!settings.Ports.Any(p => p.ContainerPort == published.ContainerPort && p.Protocol == published.Protocol))
                {
                    settings.Ports.Add(published);
                }
            }
        }

        var dns = new DnsSettings { Servers = settings.Dns, Search = settings.DnsSearch, Options = settings.DnsOptions, ExtraHosts = settings.ExtraHosts };
        dns.Validate();
        if (Rootless.RootlessRules.Active)
        {
            settings.Network = Rootless.RootlessRules.Network(settings, onPull);
        }

        settings.Network = Networking.ContainerNetworking.Validate(ctx, settings);

        settings.StopSignal ??= config.Config?.StopSignal is { Length: > 0 } stopSignal ? stopSignal : "SIGTERM";
        if (Linux.Signals.Parse(settings.StopSignal) is null)
        {
            throw new EngineException($"invalid stop signal: {settings.StopSignal}");
        }

        Reconciler.SweepAbandoned(ctx);
        var made = new ContainerState();
        CreatorProcess.Claim(made);
        var record = ctx.Containers.Create(new ContainerRecord
        {
            State = made,
            Name = request.Options.Name ?? "",
            Image = request.Image,
            ImageId = image.Id,
            Created = DateTimeOffset.UtcNow,
            StateRoot = ctx.RunRoot,
            Settings = settings,
            Labels = request.Labels,
        });
        string id = record.Id;
        string dir = ctx.Containers.ContainerDir(id);
        Runtime.Timing.Mark("engine: record made");
        bool snapshotMade = false;
        try
        {
            var options = request.Options with { Id = id, Name = record.Name };
            if (settings.Network == "host" && options.Hostname is null)
            {
                options = options with { Hostname = System.Net.Dns.GetHostName() };
            }

            var (_, merged) = ctx.Snapshots.Mount(image.Id, id, volatileUpper: settings.AutoRemove);
            snapshotMade = true;
            Runtime.Timing.Mark("engine: snapshot mounted");
            var spec = SpecBuilder.Build(config.Config, options, merged);
            if (Rootless.RootlessRules.Active && spec.Linux?.Resources is { } resources)
            {
                Rootless.RootlessRules.Resources(resources, warning => Console.Error.WriteLine($"myruntime: warning: {warning}"));
            }

            if (settings.Network == "host")
            {
                spec.Linux!.Namespaces!.RemoveAll(n => n.Type == "network");
            }

            if (settings.Init)
            {
                Init.InitMount.Apply(spec, EngineContext.SelfPath);
            }

            HostFiles.Apply(spec, dir, settings.Network == "host", dns);
            Runtime.Timing.Mark("engine: bundle written");
            File.WriteAllBytes(Path.Combine(dir, "config.json"), JsonSerializer.SerializeToUtf8Bytes(spec, OciJson.Default.Spec));
            return ctx.Containers.Update(id, r =>
            {
                r.SnapshotId = id;
                r.BundleDir = dir;
                CreatorProcess.Release(r.State);
                r.Command = spec.Process!.Args!;
                r.Options = options;
            });
        }
        catch (Exception e) when (e is EngineException or ImagesException or RuntimeException or IOException or Linux.LinuxException)
        {
            if (snapshotMade)
            {
                ctx.Snapshots.Remove(id);
            }

            ctx.Containers.Remove(id);
            throw e as EngineException ?? new EngineException(e.Message, e);
        }
    }
}
