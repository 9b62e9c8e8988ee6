using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Commands.Oci;

/// <summary>update ID: change a container's limits, from runc's flags or --resources FILE|- (linux.resources JSON).</summary>
public static class UpdateCommand
{
    public static Command Build(GlobalOptions g)
    {
        var id = new Argument<string>("container-id");
        var resources = new Option<string?>("--resources", "-r") { Description = "linux.resources JSON from a file, or - for stdin" };
        var memory = new Option<string?>("--memory") { Description = "memory limit in bytes (suffixes k, m, g allowed)" };
        var reservation = new Option<string?>("--memory-reservation") { Description = "memory soft limit in bytes" };
        var swap = new Option<string?>("--memory-swap") { Description = "memory plus swap limit in bytes (-1 for unlimited)" };
        var shares = new Option<ulong?>("--cpu-shares") { Description = "relative CPU weight" };
        var period = new Option<ulong?>("--cpu-period") { Description = "CFS period in microseconds" };
        var quota = new Option<long?>("--cpu-quota") { Description = "CFS quota in microseconds" };
        var cpus = new Option<string?>("--cpuset-cpus") { Description = "CPUs to run on" };
        var mems = new Option<string?>("--cpuset-mems") { Description = "memory nodes to use" };
        var pids = new Option<long?>("--pids-limit") { Description = "maximum number of processes" };
        var blkioWeight = new Option<string?>("--blkio-weight") { Description = "relative block IO weight, 10 to 1000" };
        var cmd = new Command("update", "update a container's resource limits") { id, resources, memory, reservation, swap, shares, period, quota, cpus, mems, pids, blkioWeight };
        foreach (string ignored in new[] { "--kernel-memory", "--kernel-memory-tcp", "--cpu-rt-period", "--cpu-rt-runtime", "--l3-cache-schema", "--mem-bw-schema" })
        {
            cmd.Options.Add(new Option<string?>(ignored) { Hidden = true });
        }

        cmd.SetAction(r => CliRunner.Run(g, r, ctx =>
        {
            var changes = r.GetValue(resources) is { } file ? Read(file) : new LinuxResources();
            if (Bytes(r.GetValue(memory)) is { } l)
            {
                (changes.Memory ??= new LinuxMemory()).Limit = l;
            }

            if (Bytes(r.GetValue(reservation)) is { } res)
            {
                (changes.Memory ??= new LinuxMemory()).Reservation = res;
            }

            if (Bytes(r.GetValue(swap)) is { } sw)
            {
                (changes.Memory ??= new LinuxMemory()).Swap = sw;
            }

            var cpu = changes.Cpu ?? new LinuxCpu();
            cpu.Shares = r.GetValue(shares) ?? cpu.Shares;
            cpu.Period = r.GetValue(period) ?? cpu.Period;
            cpu.Quota = r.GetValue(quota) ?? cpu.Quota;
            cpu.Cpus = r.GetValue(cpus) ?? cpu.Cpus;
            cpu.Mems = r.GetValue(mems) ?? cpu.Mems;
            if (cpu.Shares is not null || cpu.Period is not null || cpu.Quota is not null || cpu.Cpus is not null || cpu.Mems is not null)
            {
                changes.Cpu = cpu;
            }

            if (r.GetValue(pids) is { } p)
            {
                changes.Pids = new LinuxPids { Limit = p };
            }

            if (r.GetValue(blkioWeight) is { } weight)
            {
                (changes.BlockIO ??= new LinuxBlockIO()).Weight = ushort.TryParse(weight, System.Globalization.CultureInfo.InvariantCulture, out ushort w)
                    ? w : throw new RuntimeException($"--blkio-weight '{weight}' is not a weight from 10 to 1000");
            }

            new Operations(ctx).Update(r.GetValue(id)!, changes);
            return 0;
        }));
        return cmd;
    }

    private static LinuxResources Read(string file)
    {
        try
        {
            using var stream = file == "-" ? Console.OpenStandardInput() : File.OpenRead(file);
            return System.Text.Json.JsonSerializer.Deserialize(stream, MyRuntime.Oci.OciJson.Default.LinuxResources)
                ?? throw new RuntimeException($"--resources {file}: empty document");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new RuntimeException($"--resources {file}: invalid JSON: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>"64m", "1g", "-1", "1048576" → bytes.</summary>
    private static long? Bytes(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        string t = text.Trim().ToLowerInvariant().TrimEnd('b');
        long unit = t.EndsWith('k') ? 1L << 10 : t.EndsWith('m') ? 1L << 20 : t.EndsWith('g') ? 1L << 30 : 1;
        string digits = unit == 1 ? t : t[..^1];
        return long.TryParse(digits, System.Globalization.CultureInfo.InvariantCulture, out long n)
            ? n * (n == -1 ? 1 : unit)
            : throw new RuntimeException($"invalid size '{text}'");
    }
}
