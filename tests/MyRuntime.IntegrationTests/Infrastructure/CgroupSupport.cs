using System.Text.Json.Nodes;

namespace MyRuntime.IntegrationTests.Infrastructure;

/// <summary>What the cgroup tests (classes named Cgroup*, which also run in the v2 guest) share.</summary>
public static class CgroupSupport
{
    public static readonly bool V2 = File.Exists("/sys/fs/cgroup/cgroup.controllers");

    /// <summary>Creates the bundle (its program `true`) and asserts the create fails with one stderr line naming
    /// <paramref name="mentioned"/>, leaving no state and no cgroup.</summary>
    public static void AssertCreateRefused(TestEnv env, Bundle b, string mentioned)
    {
        b.Args("true").Save();
        var id = env.NewId();

        var r = env.Run("create", "--bundle", b.Dir, id);

        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Single(r.StderrLines);
        Assert.Contains(mentioned, r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(id, env.StateEntries());
        Assert.Empty(CgroupDirsNamed(id));
    }

    public static Bundle WithResources(Bundle b, string resourcesJson)
    {
        b.Linux["resources"] = JsonNode.Parse(resourcesJson);
        return b;
    }

    public static IEnumerable<string> CgroupDirsNamed(string id) =>
        Directory.EnumerateDirectories("/sys/fs/cgroup", "*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4, IgnoreInaccessible = true })
            .Where(d => Path.GetFileName(d) == $"myruntime-{id}");

    public static string CgroupDir(int pid, string controller)
    {
        foreach (string line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            string[] f = line.Split(':', 3);
            if (f[1].Split(',').Contains(controller))
            {
                return $"/sys/fs/cgroup/{f[1]}{f[2]}";
            }

            if (f[1].Length == 0 && File.Exists("/sys/fs/cgroup/cgroup.controllers"))
            {
                return $"/sys/fs/cgroup{f[2]}";
            }
        }

        throw new InvalidOperationException($"no {controller} cgroup for {pid}");
    }
}
