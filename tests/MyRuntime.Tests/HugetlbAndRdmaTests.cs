using System.Text.Json;
using MyRuntime.Oci;
using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Cgroups;

namespace MyRuntime.Tests;

public sealed class HugetlbAndRdmaTests
{
    [Theory]
    [InlineData("hugepages-2048kB", "2MB")]
    [InlineData("hugepages-1048576kB", "1GB")]
    [InlineData("hugepages-64kB", "64KB")]
    [InlineData("hugepages-32768kB", "32MB")]
    [InlineData("hugepages-16777216kB", "16GB")]
    [InlineData("hugepages-1536kB", "1.5MB")]
    public void PageSize_IsNamedAsTheHugetlbFilesNameIt(string dir, string name)
    {
        Assert.Equal(name, HugePageSizes.FromDirName(dir));
    }

    [Theory]
    [InlineData("hugepages-2048")]
    [InlineData("hugepages-kB")]
    [InlineData("hugepages-0kB")]
    [InlineData("hugepages--2kB")]
    [InlineData("other-2048kB")]
    [InlineData("hugepages-2MBkB")]
    public void PageSizeDir_OfAnotherForm_IsNotASize(string dir)
    {
        Assert.Null(HugePageSizes.FromDirName(dir));
    }

    [Fact]
    public void Supported_MatchesTheDirectoriesOfThisHost()
    {
        string[] dirs = Directory.Exists(HugePageSizes.SysDir) ? Directory.GetDirectories(HugePageSizes.SysDir) : [];
        var expected = dirs.Select(d => HugePageSizes.FromDirName(Path.GetFileName(d))).OfType<string>().Order();
        Assert.Equal(expected, HugePageSizes.Supported().Order());
    }

    private static LinuxHugepageLimit Limit(string size, ulong bytes = 4194304) => new() { PageSize = size, Limit = bytes };

    [Fact]
    public void Validate_KnownSizesOnceEach_Pass()
    {
        HugetlbLimits.Validate([Limit("2MB"), Limit("1GB", 0)], ["2MB", "1GB"]);
    }

    [Theory]
    [InlineData("3MB")]
    [InlineData("2mb")]
    [InlineData("2048kB")]
    [InlineData("")]
    public void Validate_UnknownPageSize_NamesItAndWhatTheHostHas(string size)
    {
        var e = Assert.Throws<RuntimeException>(() => HugetlbLimits.Validate([Limit(size)], ["2MB", "1GB"]));
        Assert.Contains($"'{size}'", e.Message);
        Assert.Contains("2MB, 1GB", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Validate_HostWithoutHugePages_SaysSo()
    {
        var e = Assert.Throws<RuntimeException>(() => HugetlbLimits.Validate([Limit("2MB")], []));
        Assert.Contains("has: none", e.Message);
    }

    [Fact]
    public void Validate_SamePageSizeTwice_Fails()
    {
        var e = Assert.Throws<RuntimeException>(() => HugetlbLimits.Validate([Limit("2MB"), Limit("2MB", 0)], ["2MB"]));
        Assert.Contains("twice", e.Message);
    }

    [Fact]
    public void Merge_HugepageLimits_ReplacesByPageSize_KeepsTheOthers()
    {
        var old = new LinuxResources { HugepageLimits = [Limit("2MB", 100), Limit("1GB", 200)] };
        var merged = ResourceMerge.Merge(old, new LinuxResources { HugepageLimits = [Limit("2MB", 300), Limit("64KB", 400)] });

        Assert.Equal(
            [("1GB", 200UL), ("2MB", 300UL), ("64KB", 400UL)],
            merged.HugepageLimits!.Select(l => (l.PageSize, l.Limit)).OrderBy(t => t.PageSize, StringComparer.Ordinal));
    }

    [Fact]
    public void Merge_Rdma_ReplacesTheValuesGiven_PerDevice()
    {
        var old = new LinuxResources { Rdma = new() { ["mlx5_0"] = new LinuxRdma { HcaHandles = 2, HcaObjects = 100 }, ["mlx5_1"] = new LinuxRdma { HcaHandles = 1 } } };
        var merged = ResourceMerge.Merge(old, new LinuxResources { Rdma = new() { ["mlx5_0"] = new LinuxRdma { HcaObjects = 50 }, ["mlx5_2"] = new LinuxRdma { HcaHandles = 7 } } });

        Assert.Equal(2u, merged.Rdma!["mlx5_0"].HcaHandles);
        Assert.Equal(50u, merged.Rdma["mlx5_0"].HcaObjects);
        Assert.Equal(1u, merged.Rdma["mlx5_1"].HcaHandles);
        Assert.Equal(7u, merged.Rdma["mlx5_2"].HcaHandles);
    }

    [Fact]
    public void Rdma_IsParsedFromTheSpec_AndLeftOutOfTheUnappliedSections()
    {
        var r = JsonSerializer.Deserialize("""{"rdma":{"mlx5_1":{"hcaHandles":3,"hcaObjects":10000},"mlx4_0":{"hcaObjects":7}}}""", OciJson.Default.LinuxResources)!;

        Assert.Equal(3u, r.Rdma!["mlx5_1"].HcaHandles);
        Assert.Equal(10000u, r.Rdma["mlx5_1"].HcaObjects);
        Assert.Null(r.Rdma["mlx4_0"].HcaHandles);
        Assert.Empty(Cgroup.Unapplied(r));
    }

    [Fact]
    public void RdmaLine_HasTheLimitsGiven()
    {
        Assert.Equal("mlx5_1 hca_handle=3 hca_object=10000", RdmaLimits.Line("mlx5_1", new LinuxRdma { HcaHandles = 3, HcaObjects = 10000 }));
        Assert.Equal("mlx4_0 hca_object=7", RdmaLimits.Line("mlx4_0", new LinuxRdma { HcaObjects = 7 }));
    }

    [Theory]
    [InlineData("", 1u)]
    [InlineData("mlx5 0", 1u)]
    [InlineData("mlx5_0", null)]
    public void RdmaValidate_BadDeviceOrNoLimit_Fails(string device, uint? handles)
    {
        Assert.Throws<RuntimeException>(() => RdmaLimits.Validate(new Dictionary<string, LinuxRdma> { [device] = new LinuxRdma { HcaHandles = handles } }));
    }
}
