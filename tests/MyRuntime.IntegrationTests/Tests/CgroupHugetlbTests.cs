using System.Globalization;
using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>linux.resources.hugepageLimits and rdma. On a v2 host the limits go to the container's one cgroup; on a
/// hybrid host (this one: hugetlb is bound to the cgroup2 mount at /sys/fs/cgroup/unified, not to a v1 hierarchy)
/// the container also gets a directory there; on a legacy host with a v1 hugetlb hierarchy, one in that.</summary>
public sealed class CgroupHugetlbTests : IntegrationTest
{
    private const string PageSize = "2MB";
    private const long Page = 2 * 1024 * 1024;

    private static bool V2 => CgroupSupport.V2;

    private static IEnumerable<string> CgroupDirsNamed(string id) => CgroupSupport.CgroupDirsNamed(id);

    private static Bundle WithHugepageLimit(Bundle b, long limit, string pageSize = PageSize) =>
        CgroupSupport.WithResources(b, $$"""{"hugepageLimits":[{"pageSize":"{{pageSize}}","limit":{{limit}}}]}""");

    /// <summary>The container's hugetlb directory and the suffix of its limit files, on whichever layout.</summary>
    private static (string Dir, string Suffix) HugetlbDir(int pid)
    {
        foreach (string line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            string[] f = line.Split(':', 3);
            if (f[1].Split(',').Contains("hugetlb"))
            {
                return ($"/sys/fs/cgroup/{f[1]}{f[2]}", "limit_in_bytes");
            }

            if (f[1].Length == 0)
            {
                return (V2 ? $"/sys/fs/cgroup{f[2]}" : $"/sys/fs/cgroup/unified{f[2]}", "max");
            }
        }

        throw new InvalidOperationException($"no hugetlb cgroup for {pid}");
    }

    private static string Read(string dir, string file) => File.ReadAllText(Path.Combine(dir, file)).Trim();

    [HugePagesFact]
    public void HugepageLimit_LandsInTheHugetlbFile_UpdateChangesIt_StatsShowIt_DeleteRemovesTheDir()
    {
        var b = WithHugepageLimit(Env.NewBundle(), 4 * Page);
        var (id, pid) = Env.CreateAndStart(b, "sleep", "1000");

        var (dir, suffix) = HugetlbDir(pid);
        Assert.EndsWith($"/myruntime-{id}", dir);
        Assert.Equal((4 * Page).ToString(CultureInfo.InvariantCulture), Read(dir, $"hugetlb.{PageSize}.{suffix}"));
        if (File.Exists(Path.Combine(dir, $"hugetlb.{PageSize}.rsvd.{suffix}")))
        {
            Assert.Equal((4 * Page).ToString(CultureInfo.InvariantCulture), Read(dir, $"hugetlb.{PageSize}.rsvd.{suffix}"));
        }

        var r = Env.Runtime.Run(["update", "--resources", "-", id], stdin: $$"""{"hugepageLimits":[{"pageSize":"{{PageSize}}","limit":{{Page}}}]}""");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(Page.ToString(CultureInfo.InvariantCulture), Read(dir, $"hugetlb.{PageSize}.{suffix}"));

        var stats = JsonNode.Parse(Env.RunOk("events", "--stats", id).Stdout)!["data"]!;
        Assert.Equal(0UL, stats["hugetlb"]![PageSize]!["usage"]!.GetValue<ulong>());

        Env.RunOk("delete", "--force", id);
        Assert.Empty(CgroupDirsNamed(id));
    }

    [HugePagesFact]
    public void HugepageLimit_GivenOnlyByUpdate_IsSetOnV2_AndRefusedCleanlyOnV1()
    {
        var (id, pid) = Env.CreateAndStart(Env.NewBundle(), "sleep", "1000");

        var r = Env.Runtime.Run(["update", "--resources", "-", id], stdin: $$$"""{"hugepageLimits":[{"pageSize":"{{{PageSize}}}","limit":{{{2 * Page}}}}],"pids":{"limit":99}}""");

        if (V2)
        {
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal((2 * Page).ToString(CultureInfo.InvariantCulture), Read(HugetlbDir(pid).Dir, $"hugetlb.{PageSize}.max"));
        }
        else
        {
            // The container joined no hugetlb cgroup at create: the update fails whole, before anything is written.
            Assert.True(r.ExitCode != 0, r.ToString());
            Assert.Single(r.StderrLines);
            Assert.Contains("hugepageLimits", r.Stderr);
            Assert.NotEqual("99", Read(CgroupSupport.CgroupDir(pid, "pids"), "pids.max"));
        }

        Env.RunOk("delete", "--force", id);
        Assert.Empty(CgroupDirsNamed(id));
    }

    [HugePagesReservableFact]
    public void HugepageLimit_AllocatingBeyondItFails_WithinItSucceeds_AndTheFailureIsCounted()
    {
        using var pages = HugePagesReservableFactAttribute.Reserve(6);
        var b = WithHugepageLimit(Env.NewBundle(), 2 * Page).AddMount("/hugepages", "hugetlbfs", "hugetlbfs", "pagesize=2M");
        var (id, pid) = Env.CreateAndStart(b, "sleep", "1000");

        // Enough pages are free (checked above), so only the cgroup's limit can make the bigger file fail.
        var r = Env.RunOk("exec", id, "sh", "-c", $"""
            fallocate -l {2 * Page} /hugepages/within && echo within-ok || echo within-failed
            rm -f /hugepages/within
            fallocate -l {3 * Page} /hugepages/beyond && echo beyond-ok || echo beyond-failed
            rm -f /hugepages/beyond
            """);

        var (dir, _) = HugetlbDir(pid);
        string counters = string.Join(" | ", Directory.GetFiles(dir, $"hugetlb.{PageSize}.*").Where(f => f.EndsWith("events", StringComparison.Ordinal) || f.EndsWith("failcnt", StringComparison.Ordinal))
            .Select(f => $"{Path.GetFileName(f)}: {File.ReadAllText(f).Trim().ReplaceLineEndings(" ")}"));
        Assert.True(r.Stdout.Contains("within-ok", StringComparison.Ordinal), r + counters);
        Assert.True(r.Stdout.Contains("beyond-failed", StringComparison.Ordinal), r + counters);
        var stats = JsonNode.Parse(Env.RunOk("events", "--stats", id).Stdout)!["data"]!["hugetlb"]![PageSize]!;
        Assert.True(stats["failcnt"]!.GetValue<ulong>() > 0, stats.ToJsonString() + " " + counters);
        Assert.Equal(0UL, stats["usage"]!.GetValue<ulong>());

        Env.RunOk("delete", "--force", id);
        Assert.Empty(CgroupDirsNamed(id));
    }

    [Theory]
    [InlineData("""{"hugepageLimits":[{"pageSize":"3MB","limit":4194304}]}""", "3MB")]
    [InlineData("""{"hugepageLimits":[{"pageSize":"2MB","limit":4194304},{"pageSize":"2MB","limit":0}]}""", "twice")]
    [InlineData("""{"rdma":{"huge-nodev0":{"hcaHandles":1}}}""", "rdma")]
    [InlineData("""{"rdma":{"huge-nodev0":{}}}""", "rdma")]
    public void BadHugepageOrRdmaLimits_FailWithOneLine_LeaveNothing(string resources, string mentioned)
    {
        CgroupSupport.AssertCreateRefused(Env, CgroupSupport.WithResources(Env.NewBundle(), resources), mentioned);
    }

    [Fact]
    public void BadPageSizeInUpdate_FailsWithOneLine_ChangesNothing()
    {
        var b = CgroupSupport.WithResources(Env.NewBundle(), """{"pids":{"limit":50}}""");
        var (id, pid) = Env.CreateAndStart(b, "sleep", "1000");

        var r = Env.Runtime.Run(["update", "--resources", "-", id], stdin: """{"hugepageLimits":[{"pageSize":"3MB","limit":4194304}],"pids":{"limit":99}}""");

        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Single(r.StderrLines);
        Assert.Contains("3MB", r.Stderr);
        Assert.Equal("50", Read(CgroupSupport.CgroupDir(pid, "pids"), "pids.max"));
    }
}

/// <summary>A [Fact] that needs 2 MB huge pages in the kernel (their cgroup files exist then).</summary>
public sealed class HugePagesFactAttribute : FactAttribute
{
    public HugePagesFactAttribute()
    {
        if (!Directory.Exists("/sys/kernel/mm/hugepages/hugepages-2048kB"))
        {
            Skip = "the kernel has no 2 MB huge pages";
        }
    }
}

/// <summary>A [Fact] that allocates 2 MB huge pages: in the cgroup v2 guest it may reserve them itself (and gives them
/// back after); on any other host only pages already reserved are used (nr_hugepages is not changed there).</summary>
public sealed class HugePagesReservableFactAttribute : FactAttribute
{
    private const string Dir = "/sys/kernel/mm/hugepages/hugepages-2048kB";

    public HugePagesReservableFactAttribute()
    {
        if (!Directory.Exists(Dir))
        {
            Skip = "the kernel has no 2 MB huge pages";
        }
        else if (!InGuest && Count("nr_hugepages") == 0)
        {
            Skip = "no 2 MB huge pages reserved on this host (nr_hugepages is 0, and the tests change it only in the cgroup v2 guest)";
        }
    }

    /// <summary>The cgroup v2 guest (scripts/cgroup-v2-guest.sh: hostname v2guest, booted with cgroup_no_v1=all) is a
    /// throwaway VM: the test may change vm.nr_hugepages there.</summary>
    private static bool InGuest => CgroupSupport.V2 && Environment.MachineName == "v2guest"
        && File.ReadAllText("/proc/cmdline").Contains("cgroup_no_v1=all", StringComparison.Ordinal);

    private static long Count(string file) => long.Parse(File.ReadAllText(Path.Combine(Dir, file)).Trim(), CultureInfo.InvariantCulture);

    /// <summary>Makes sure at least <paramref name="free"/> pages are free: reserves more in the guest (restored at
    /// Dispose), else checks that the host's reservation has them.</summary>
    public static IDisposable Reserve(int free)
    {
        long before = Count("nr_hugepages");
        if (InGuest && Count("free_hugepages") < free)
        {
            File.WriteAllText(Path.Combine(Dir, "nr_hugepages"), (before + free).ToString(CultureInfo.InvariantCulture));
        }

        var restore = new Restore(before, InGuest);
        if (Count("free_hugepages") < free)
        {
            restore.Dispose();
            Assert.Fail($"needs {free} free 2 MB huge pages; {Count("free_hugepages")} are free");
        }

        return restore;
    }

    private sealed class Restore(long before, bool inGuest) : IDisposable
    {
        public void Dispose()
        {
            if (inGuest && Count("nr_hugepages") != before)
            {
                File.WriteAllText(Path.Combine(Dir, "nr_hugepages"), before.ToString(CultureInfo.InvariantCulture));
            }
        }
    }
}
