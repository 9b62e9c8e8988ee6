using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MyRuntime.Cli;
using MyRuntime.Engine;
using MyRuntime.Engine.Containers;
using MyRuntime.Engine.Lifecycle;
using MyRuntime.Oci;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Commands.Engine;

/// <summary>inspect CONTAINER...: a JSON array in the shape of Docker's container inspect (the fields this engine
/// has), with the state reconciled with the kernel.</summary>
public static class ContainerInspectCommand
{
    public static Command Build(GlobalOptions g, string name = "inspect")
    {
        var containers = new Argument<string[]>("container") { Arity = ArgumentArity.OneOrMore };
        var cmd = new Command(name, "display detailed information on one or more containers") { containers };
        cmd.SetAction(r =>
        {
            var found = new List<(ContainerRecord, Spec?)>();
            int rc = EngineCli.ForEach(g, r, r.GetValue(containers)!, (ctx, c) =>
            {
                var record = Reconciler.Refresh(ctx, ctx.Containers.Find(c));
                string config = Path.Combine(record.BundleDir, "config.json");
                var spec = File.Exists(config) ? JsonSerializer.Deserialize(File.ReadAllBytes(config), OciJson.Default.Spec) : null;
                found.Add((record, spec));
            });
            var ctx = EngineCli.ContextOf(g, r);
            using (var stdout = Console.OpenStandardOutput())
            using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartArray();
                foreach (var (record, spec) in found)
                {
                    Write(w, ctx, record, spec);
                }

                w.WriteEndArray();
            }

            Console.Out.WriteLine();
            return rc;
        });
        return cmd;
    }

    private static void Write(Utf8JsonWriter w, EngineContext ctx, ContainerRecord x, Spec? spec)
    {
        var s = x.State;
        var o = x.Options;
        var p = spec?.Process;
        w.WriteStartObject();
        w.WriteString("Id", x.Id);
        w.WriteString("Created", Time(x.Created));
        w.WriteString("Path", x.Command.FirstOrDefault() ?? "");
        Strings(w, "Args", x.Command.Skip(1));
        w.WriteStartObject("State");
        w.WriteString("Status", s.Status.ToString().ToLowerInvariant());
        w.WriteBoolean("Running", s.Status is ContainerStatus.Running or ContainerStatus.Paused);
        w.WriteBoolean("Paused", s.Status == ContainerStatus.Paused);
        w.WriteBoolean("Restarting", false);
        w.WriteBoolean("OOMKilled", s.OomKilled);
        w.WriteBoolean("Dead", false);
        w.WriteNumber("Pid", s.Status is ContainerStatus.Running or ContainerStatus.Paused ? s.Pid : 0);
        w.WriteNumber("ExitCode", s.ExitCode);
        w.WriteString("Error", s.Error ?? "");
        w.WriteString("StartedAt", s.StartedAt is { } st ? Time(st) : "0001-01-01T00:00:00Z");
        w.WriteString("FinishedAt", s.FinishedAt is { } f ? Time(f) : "0001-01-01T00:00:00Z");
        w.WriteEndObject();
        w.WriteString("Image", x.ImageId);
        w.WriteString("LogPath", ctx.LogPath(x.Id));
        w.WriteString("Name", "/" + x.Name);
        w.WriteNumber("RestartCount", 0);
        w.WriteString("Driver", "overlay");
        w.WriteString("Platform", "linux");
        w.WriteStartObject("HostConfig");
        Strings(w, "Binds", o.Binds);
        w.WriteString("NetworkMode", x.Settings.Network);
        w.WriteString("PidMode", o.PidMode);
        w.WriteBoolean("AutoRemove", x.Settings.AutoRemove);
        w.WriteBoolean("Init", x.Settings.Init);
        w.WriteBoolean("Privileged", o.Privileged);
        w.WriteBoolean("ReadonlyRootfs", o.ReadOnly);
        Strings(w, "CapAdd", o.CapAdd);
        Strings(w, "CapDrop", o.CapDrop);
        Strings(w, "SecurityOpt", o.SecurityOpt);
        var res = spec?.Linux?.Resources;
        w.WriteNumber("Memory", res?.Memory?.Limit ?? 0);
        w.WriteNumber("MemorySwap", res?.Memory?.Swap ?? 0);
        w.WriteNumber("CpuShares", (long)(res?.Cpu?.Shares ?? 0));
        w.WriteNumber("NanoCpus", res?.Cpu is { Quota: > 0, Period: > 0 } cpu ? (long)(cpu.Quota.Value * 1e9 / cpu.Period.Value) : 0);
        w.WriteNumber("PidsLimit", res?.Pids?.Limit ?? 0);
        w.WriteStartObject("LogConfig");
        w.WriteString("Type", "json-file");
        w.WriteStartObject("Config");
        if (x.Settings.LogMaxSize > 0)
        {
            w.WriteString("max-size", x.Settings.LogMaxSize.ToString(CultureInfo.InvariantCulture));
            w.WriteString("max-file", x.Settings.LogMaxFiles.ToString(CultureInfo.InvariantCulture));
        }

        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        WriteNetworkSettings(w, x);
        w.WriteStartObject("GraphDriver");
        w.WriteString("Name", "overlay");
        w.WriteStartObject("Data");
        string snapshot = ctx.Layout.Snapshot(x.SnapshotId);
        w.WriteString("MergedDir", Path.Combine(snapshot, "merged"));
        w.WriteString("UpperDir", Path.Combine(snapshot, "upper"));
        w.WriteString("WorkDir", Path.Combine(snapshot, "work"));
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("Mounts");
        foreach (var m in spec?.Mounts?.Where(m => m.Type == "bind" && !m.Destination.StartsWith("/etc/", StringComparison.Ordinal) || m.Type == "tmpfs" && !m.Destination.StartsWith("/dev", StringComparison.Ordinal)) ?? [])
        {
            w.WriteStartObject();
            w.WriteString("Type", m.Type);
            w.WriteString("Source", m.Source ?? "");
            w.WriteString("Destination", m.Destination);
            w.WriteBoolean("RW", m.Options?.Contains("ro") != true);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("Config");
        w.WriteString("Hostname", spec?.Hostname ?? "");
        w.WriteString("User", o.User ?? "");
        w.WriteBoolean("Tty", x.Settings.Tty);
        w.WriteBoolean("OpenStdin", x.Settings.OpenStdin);
        Strings(w, "Env", p?.Env ?? []);
        Strings(w, "Cmd", x.Command);
        w.WriteString("Image", x.Image);
        w.WriteString("WorkingDir", p?.Cwd ?? "/");
        w.WriteString("StopSignal", x.Settings.StopSignal ?? "SIGTERM");
        w.WriteNumber("StopTimeout", x.Settings.StopTimeout);
        w.WriteStartObject("Labels");
        foreach (var (k, v) in x.Labels)
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (string v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    /// <summary>Docker's NetworkSettings: the address, gateway and published ports of a running container.</summary>
    private static void WriteNetworkSettings(Utf8JsonWriter w, ContainerRecord x)
    {
        var n = x.State.Status is ContainerStatus.Running or ContainerStatus.Paused ? x.State.Network : null;
        w.WriteStartObject("NetworkSettings");
        w.WriteString("IPAddress", n?.IPAddress ?? "");
        w.WriteNumber("IPPrefixLen", n?.PrefixLength ?? 0);
        w.WriteString("Gateway", n?.Gateway ?? "");
        w.WriteStartObject("Ports");
        foreach (var group in (n?.Ports ?? []).GroupBy(p => $"{p.ContainerPort}/{p.Protocol}"))
        {
            w.WriteStartArray(group.Key);
            foreach (var p in group)
            {
                w.WriteStartObject();
                w.WriteString("HostIp", p.HostIp);
                w.WriteString("HostPort", p.HostPort.ToString(CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteStartObject("Networks");
        if (n is not null)
        {
            w.WriteStartObject(n.NetworkName);
            w.WriteString("NetworkID", n.NetworkId);
            w.WriteString("IPAddress", n.IPAddress);
            w.WriteNumber("IPPrefixLen", n.PrefixLength);
            w.WriteString("Gateway", n.Gateway);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }
}
