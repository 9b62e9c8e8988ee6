using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests.Conformance;

/// <summary>
/// What the runtime-spec conformance groups share: running a bundle to its end through the runc face
/// (<c>run --bundle</c>) and reading what the in-container checker (busybox) printed.
/// </summary>
public abstract class ConformanceTest : IntegrationTest
{
    /// <summary><c>run</c> of the bundle, asserted to exit 0; the checker's output is the result's stdout.</summary>
    protected ProcResult RunOk(Bundle bundle)
    {
        bundle.Save();
        var r = Env.Runtime.Run("run", "--bundle", bundle.Dir, Env.NewId());
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    /// <summary>
    /// The /proc/self/mountinfo line (as the container printed it) of the topmost mount at
    /// <paramref name="mountPoint"/>, split into its mount options, optional fields and super options.
    /// </summary>
    protected static MountInfoLine TopMount(ProcResult r, string mountPoint)
    {
        var lines = r.StdoutLines.Where(l => MountInfoLine.Parse(l)?.MountPoint == mountPoint).ToList();
        Assert.True(lines.Count > 0, $"no mountinfo line for {mountPoint}:\n{r}");
        return MountInfoLine.Parse(lines[^1])!;
    }
}

/// <summary>One line of /proc/PID/mountinfo.</summary>
public sealed record MountInfoLine(string MountPoint, string[] MountOptions, string[] OptionalFields, string FsType, string[] SuperOptions)
{
    public static MountInfoLine? Parse(string line)
    {
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int dash = Array.IndexOf(f, "-");
        if (f.Length < 10 || dash < 6 || dash + 3 >= f.Length)
        {
            return null;
        }

        return new MountInfoLine(f[4], f[5].Split(','), f[6..dash], f[dash + 1], f[dash + 3].Split(','));
    }
}
