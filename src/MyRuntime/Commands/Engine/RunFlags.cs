using System.CommandLine;
using MyRuntime.Engine;
using MyRuntime.Engine.Bundle;
using MyRuntime.Engine.Containers;
using MyRuntime.Engine.Images;
using MyRuntime.Engine.Lifecycle;
using MyRuntime.Engine.Logs;
using MyRuntime.Network.Ports;

namespace MyRuntime.Commands.Engine;

/// <summary>Docker's flags of run and create, read into a <see cref="CreateRequest"/>.</summary>
public sealed class RunFlags
{
    public Argument<string> Image { get; } = new("image") { Description = "the image to run" };

    public Argument<string[]> Command { get; } = new("command") { Description = "COMMAND [ARG...]", Arity = ArgumentArity.ZeroOrMore };

    public Option<string?> Name { get; } = new("--name") { Description = "assign a name to the container" };

    public Option<bool> Interactive { get; } = new("--interactive", "-i") { Description = "keep stdin open" };

    public Option<bool> Tty { get; } = new("--tty", "-t") { Description = "allocate a pseudo-TTY" };

    public Option<bool> Remove { get; } = new("--rm") { Description = "remove the container when it exits" };

    public Option<List<string>> Env { get; } = new("--env", "-e") { Description = "set environment variables" };

    public Option<List<string>> EnvFile { get; } = new("--env-file") { Description = "read environment variables from a file" };

    public Option<string?> Workdir { get; } = new("--workdir", "-w") { Description = "working directory inside the container" };

    public Option<string?> User { get; } = new("--user", "-u") { Description = "user name or uid (format: <name|uid>[:<group|gid>])" };

    public Option<string?> Hostname { get; } = new("--hostname", "-h") { Description = "container host name" };

    public Option<List<string>> Volume { get; } = new("--volume", "-v") { Description = "bind mount a volume (HOST:CONTAINER[:ro|rw])" };

    public Option<List<string>> Tmpfs { get; } = new("--tmpfs") { Description = "mount a tmpfs directory (PATH[:OPTIONS])" };

    public Option<bool> ReadOnly { get; } = new("--read-only") { Description = "mount the container's root filesystem read-only" };

    public Option<string?> Entrypoint { get; } = new("--entrypoint") { Description = "overwrite the default ENTRYPOINT of the image" };

    public Option<string?> Memory { get; } = new("--memory", "-m") { Description = "memory limit" };

    public Option<string?> MemorySwap { get; } = new("--memory-swap") { Description = "memory plus swap limit; -1 for unlimited swap" };

    public Option<string?> Cpus { get; } = new("--cpus") { Description = "number of CPUs" };

    public Option<ulong?> CpuShares { get; } = new("--cpu-shares", "-c") { Description = "CPU shares (relative weight)" };

    public Option<long?> PidsLimit { get; } = new("--pids-limit") { Description = "tune the container's pids limit (-1 for unlimited)" };

    public Option<List<string>> Device { get; } = new("--device") { Description = "add a host device (HOST[:CONTAINER[:rwm]])" };

    public Option<List<string>> CapAdd { get; } = new("--cap-add") { Description = "add Linux capabilities" };

    public Option<List<string>> CapDrop { get; } = new("--cap-drop") { Description = "drop Linux capabilities" };

    public Option<bool> Privileged { get; } = new("--privileged") { Description = "give extended privileges to this container" };
    public Option<string> Pid { get; } = new("--pid") { Description = "PID namespace to use: host shares the host's" };

    public Option<List<string>> SecurityOpt { get; } = new("--security-opt") { Description = "security options: seccomp=unconfined|PROFILE.json, no-new-privileges[=true|false], label=disable, apparmor=unconfined" };

    public Option<bool> Init { get; } = new("--init") { Description = "run an init inside the container that forwards signals and reaps processes" };

    public Option<string> Network { get; } = new("--network", "--net") { Description = "connect the container to a network (bridge, none, host, container:NAME|ID, or a network's name)", DefaultValueFactory = _ => "bridge" };

    public Option<List<string>> Publish { get; } = new("--publish", "-p") { Description = "publish a container's port(s) to the host ([HOSTIP:][HOSTPORT:]PORT[/PROTO])" };

    public Option<bool> PublishAll { get; } = new("--publish-all", "-P") { Description = "publish all exposed ports to random host ports" };

    public Option<List<string>> Dns { get; } = new("--dns") { Description = "set custom DNS servers" };

    public Option<List<string>> DnsSearch { get; } = new("--dns-search") { Description = "set custom DNS search domains" };

    public Option<List<string>> DnsOption { get; } = new("--dns-option") { Description = "set DNS options" };

    public Option<List<string>> AddHost { get; } = new("--add-host") { Description = "add a custom host-to-IP mapping (HOST:IP)" };

    public Option<string> Pull { get; } = new("--pull") { Description = "pull image before running (missing, always, never)", DefaultValueFactory = _ => "missing" };

    public Option<string?> StopSignal { get; } = new("--stop-signal") { Description = "signal to stop the container" };

    public Option<int?> StopTimeout { get; } = new("--stop-timeout") { Description = "timeout (in seconds) to stop a container" };

    public Option<List<string>> LogOpt { get; } = new("--log-opt") { Description = "log driver options (max-size, max-file)" };

    public Option<List<string>> Label { get; } = new("--label", "-l") { Description = "set metadata on a container" };

    public void AddTo(Command cmd)
    {
        cmd.Arguments.Add(Image);
        cmd.Arguments.Add(Command);
        foreach (var o in new Option[]
        {
            Name, Interactive, Tty, Remove, Env, EnvFile, Workdir, User, Hostname, Volume, Tmpfs, ReadOnly, Entrypoint,
            Memory, MemorySwap, Cpus, CpuShares, PidsLimit, Device, CapAdd, CapDrop, Privileged, Pid, SecurityOpt, Init, Network, Publish,
            PublishAll, Dns, DnsSearch, DnsOption, AddHost, Pull, StopSignal, StopTimeout, LogOpt, Label,
        })
        {
            cmd.Options.Add(o);
        }
    }

    public CreateRequest Request(ParseResult r)
    {
        var log = LogOptions.Parse(r.GetValue(LogOpt) ?? []);
        var options = new RunOptions
        {
            Name = r.GetValue(Name),
            Command = r.GetValue(Command) is { Length: > 0 } c ? c : null,
            Entrypoint = r.GetValue(Entrypoint),
            Env = r.GetValue(Env) ?? [],
            EnvFileLines = ReadEnvFiles(r.GetValue(EnvFile) ?? []),
            WorkingDir = r.GetValue(Workdir),
            User = r.GetValue(User),
            Hostname = r.GetValue(Hostname),
            Binds = r.GetValue(Volume) ?? [],
            Tmpfs = r.GetValue(Tmpfs) ?? [],
            ReadOnly = r.GetValue(ReadOnly),
            Memory = r.GetValue(Memory),
            MemorySwap = r.GetValue(MemorySwap),
            Cpus = r.GetValue(Cpus),
            CpuShares = r.GetValue(CpuShares),
            PidsLimit = r.GetValue(PidsLimit),
            Devices = r.GetValue(Device) ?? [],
            CapAdd = r.GetValue(CapAdd) ?? [],
            CapDrop = r.GetValue(CapDrop) ?? [],
            Privileged = r.GetValue(Privileged),
            PidMode = r.GetValue(Pid) ?? "",
            SecurityOpt = r.GetValue(SecurityOpt) ?? [],
            Tty = r.GetValue(Tty),
            StdinOpen = r.GetValue(Interactive),
        };
        var settings = new ContainerSettings
        {
            AutoRemove = r.GetValue(Remove),
            Init = r.GetValue(Init),
            Tty = options.Tty,
            OpenStdin = options.StdinOpen,
            StopSignal = r.GetValue(StopSignal),
            StopTimeout = r.GetValue(StopTimeout) ?? 10,
            Network = r.GetResult(Network) is { Implicit: false } ? r.GetValue(Network) ?? "bridge" : "", // "": the default
            Ports = [.. (r.GetValue(Publish) ?? []).SelectMany(PublishedPorts)],
            Dns = r.GetValue(Dns) ?? [],
            DnsSearch = r.GetValue(DnsSearch) ?? [],
            DnsOptions = r.GetValue(DnsOption) ?? [],
            ExtraHosts = r.GetValue(AddHost) ?? [],
            LogMaxSize = log.MaxSize,
            LogMaxFiles = log.MaxFiles,
        };
        return new CreateRequest
        {
            Image = r.GetValue(Image)!,
            Options = options,
            Settings = settings,
            Pull = ImageResolver.ParsePolicy(r.GetValue(Pull) ?? "missing"),
            Labels = Labels(r.GetValue(Label) ?? []),
            PublishAll = r.GetValue(PublishAll),
        };
    }

    private static IEnumerable<PortMapping> PublishedPorts(string spec) =>
        PortSpec.Parse(spec).Select(p => new PortMapping { HostIp = p.HostIp, HostPort = p.HostPort, ContainerPort = p.ContainerPort, Protocol = p.Protocol });

    private static List<string> ReadEnvFiles(List<string> files)
    {
        var lines = new List<string>();
        foreach (string file in files)
        {
            string[] text;
            try
            {
                text = File.ReadAllLines(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new EngineException($"open {file}: {e.Message}");
            }

            lines.AddRange(text.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')));
        }

        return lines;
    }

    private static Dictionary<string, string> Labels(List<string> labels)
    {
        var result = new Dictionary<string, string>();
        foreach (string label in labels)
        {
            int eq = label.IndexOf('=', StringComparison.Ordinal);
            result[eq < 0 ? label : label[..eq]] = eq < 0 ? "" : label[(eq + 1)..];
        }

        return result;
    }
}
