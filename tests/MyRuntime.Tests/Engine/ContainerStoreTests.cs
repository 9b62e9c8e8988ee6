using System.Text.Json;
using MyRuntime.Engine;
using MyRuntime.Engine.Containers;

namespace MyRuntime.Tests.Engine;

public class ContainerStoreTests
{
    private static ContainerRecord NewRecord(string name = "") => new()
    {
        Name = name,
        Image = "busybox:latest",
        ImageId = "sha256:" + new string('a', 64),
        Created = DateTimeOffset.UtcNow,
        SnapshotId = "snap-1",
        BundleDir = "/run/bundle",
        StateRoot = "/run/state",
        Command = ["sh", "-c", "echo hi"],
        Labels = new() { ["a"] = "b" },
    };

    [Fact]
    public void Create_AssignsIdAndWritesRecordFile()
    {
        using var dir = new TempDir();
        var store = new ContainerStore(dir.Path);
        ContainerRecord created = store.Create(NewRecord("web"));
        Assert.Matches("^[0-9a-f]{64}$", created.Id);
        Assert.Equal("web", created.Name);
        string file = Path.Combine(dir.Path, "containers", created.Id, "container.json");
        Assert.True(File.Exists(file));
        Assert.Contains("\"Status\": \"created\"", File.ReadAllText(file));
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "containers", created.Id), "*.tmp"));
    }

    [Fact]
    public void Find_ByNameIdAndPrefix()
    {
        using var dir = new TempDir();
        var store = new ContainerStore(dir.Path);
        ContainerRecord web = store.Create(NewRecord("web"));
        store.Create(NewRecord("db"));
        Assert.Equal(web.Id, store.Find("web").Id);
        Assert.Equal(web.Id, store.Find("/web").Id);
        Assert.Equal(web.Id, store.Find(web.Id).Id);
        Assert.Equal(web.Id, store.Find(web.Id[..12]).Id);
        ContainerRecord found = store.Find("web");
        Assert.Equal(["sh", "-c", "echo hi"], found.Command);
        Assert.Equal("b", found.Labels["a"]);
        Assert.Equal("sha256:" + new string('a', 64), found.ImageId);
    }

    [Fact]
    public void Find_NameWinsOverIdPrefix()
    {
        using var dir = new TempDir();
        var store = new ContainerStore(dir.Path);
        ContainerRecord other = store.Create(NewRecord("first"));
        string prefix = other.Id[..12];
        ContainerRecord named = store.Create(NewRecord("x" + prefix));
        Assert.Equal(other.Id, store.Find(prefix).Id);
        store.Rename(named.Id, prefix);
        Assert.Equal(named.Id, store.Find(prefix).Id);
    }

    [Fact]
    public void Find_AmbiguousPrefix_Fails()
    {
        using var dir = new TempDir();
        var store = new ContainerStore(dir.Path);
        store.Create(new ContainerRecord { Id = "ab" + new string('1', 62), Name = "one" });
        store.Create(new ContainerRecord { Id = "ab" + new string('2', 62), Name = "two" });
        var e = Assert.Throws<EngineException>(() => store.Find("ab"));
        Assert.Equal("multiple IDs found with provided prefix: ab", e.Message);
        Assert.Equal("two", store.Find("ab2").Name);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("")]
    [InlineData("/")]
    public void Find_Unknown_Fails(string key)
    {
        using var dir = new TempDir();
        var store = new ContainerStore(dir.Path);
        store.Create(NewRecord("web"));
        var e = Assert.Throws<EngineException>(() => store.Find(key));
        Assert.Equal($"No such container: {key}", e.Message);
    }

    [Fact]
    public void Create_NameInUse_FailsWithDockerMessageAndLeavesNothing()
    {
        using var dir = new TempDir();
        var store = new ContainerStore(dir.Path);
        ContainerRecord web = store.Create(NewRecord("web"));
        var e = Assert.Throws<EngineException>(() => store.Create(NewRecord("/web")));
        Assert.Equal(
            $"Conflict. The container name \"/web\" is already in use by container \"{web.Id}\". "
            + "You have to remove (or rename) that container to be able to reuse that name.",
            e.Message);
        Assert.Single(store.List());
        Assert.Single(Directory.GetDirectories(Path.Combine(dir.Path, "containers")));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("-web")]
    [InlineData("_web")]
    [InlineData(".web")]
    [InlineData("we b")]
    [InlineData("web/1")]
    [InlineData("web:1")]
    [InlineData("wéb")]
    [InlineData("web\n")]
    public void Create_InvalidName_Fails(string name)
    {
        using var dir = new TempDir();
        var store = new ContainerStore(dir.Path);
        var e = Assert.Throws<EngineException>(() => store.Create(NewRecord(name)));
        // A line break in the name is shown escaped: the message stays one line.
        Assert.Equal($"Invalid container name ({name.Replace("\n", "\\n", StringComparison.Ordinal)}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", e.Message);
        Assert.Empty(store.List());
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Web_1.a-b")]
    [InlineData("0-")]
    public void Create_ValidName_Accepted(string name)
    {
        using var dir = new TempDir();
        var store = new ContainerStore(dir.Path);
        Assert.Equal(name, store.Create(NewRecord(name)).Name);
    }

    [Fact]
    public void Create_InvalidId_Fails()
    {
        using var dir = new TempDir();
        var store = new ContainerStore(dir.Path);
        Assert.Throws<EngineException>(() => store.Create(new ContainerRecord { Id = new string('A', 64) }));
        Assert.Throws<EngineException>(() => store.Create(new ContainerRecord { Id = "abc" }));
        Assert.Empty(store.List());
    }

    [Fact]
    public void Create_GeneratedNames_AreValidAndUniqueOver200()
    {
        using var dir = new TempDir();
        var store = new ContainerStore(dir.Path);
        var names = new HashSet<string>();
        for (int i = 0; i < 200; i++)
        {
            string name = store.Create(NewRecord()).Name;
            Assert.Matches("^[a-z]+_[a-z]+[0-9]*$", name);
            Assert.True(names.Add(name), $"duplicate generated name {name}");
        }

        Assert.Equal(200, store.List().Select(r => r.Name).Distinct().Count());
    }

    [Fact]
    public void Rename_MovesTheName()
    {
        using var dir = new TempDir();
        var store = new ContainerStore(dir.Path);
        ContainerRecord web = store.Create(NewRecord("web"));
        store.Create(NewRecord("db"));
        store.Rename(web.Id, "front");
        Assert.Equal(web.Id, store.Find("front").Id);
        Assert.Equal("front", store.Find(web.Id).Name);
        Assert.Throws<EngineException>(() => store.Find("web"));
        ContainerRecord reuse = store.Create(NewRecord("web"));
        Assert.Equal(reuse.Id, store.Find("web").Id);
        var conflict = Assert.Throws<EngineException>(() => store.Rename(web.Id, "db"));
        Assert.StartsWith("Conflict. The container name \"/db\" is already in use", conflict.Message);
        Assert.Throws<EngineException>(() => store.Rename(web.Id, "front"));
        Assert.Throws<EngineException>(() => store.Rename(web.Id, "-bad"));
        Assert.Equal("front", store.Find(web.Id).Name);
    }

    [Fact]
    public void Remove_DeletesRecordAndFreesName()
    {
        using var dir = new TempDir();
        var store = new ContainerStore(dir.Path);
        ContainerRecord web = store.Create(NewRecord("web"));
        store.Remove(web.Id);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "containers", web.Id)));
        Assert.Empty(store.List());
        Assert.Equal($"No such container: {web.Id}", Assert.Throws<EngineException>(() => store.Find(web.Id)).Message);
        Assert.Throws<EngineException>(() => store.Remove(web.Id));
        ContainerRecord again = store.Create(NewRecord("web"));
        Assert.NotEqual(web.Id, again.Id);
        Assert.Equal(again.Id, store.Find("web").Id);
    }

    [Fact]
    public void Update_ChangesStateAndKeepsIdAndName()
    {
        using var dir = new TempDir();
        var store = new ContainerStore(dir.Path);
        ContainerRecord web = store.Create(NewRecord("web"));
        var started = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        store.Update(web.Id, r =>
        {
            r.State.Status = ContainerStatus.Exited;
            r.State.Pid = 0;
            r.State.ExitCode = 137;
            r.State.OomKilled = true;
            r.State.StartedAt = started;
            r.State.FinishedAt = started.AddSeconds(3);
        });
        ContainerRecord read = new ContainerStore(dir.Path).Find("web");
        Assert.Equal(ContainerStatus.Exited, read.State.Status);
        Assert.Equal(137, read.State.ExitCode);
        Assert.True(read.State.OomKilled);
        Assert.Equal(started, read.State.StartedAt);
        Assert.Equal(started.AddSeconds(3), read.State.FinishedAt);
        Assert.Throws<EngineException>(() => store.Update(web.Id, r => r.Name = "other"));
        Assert.Throws<EngineException>(() => store.Update(web.Id, r => r.Id = ContainerRecord.NewId()));
        Assert.Throws<EngineException>(() => store.Update(ContainerRecord.NewId(), r => r.State.Pid = 1));
        Assert.Equal("web", store.Find(web.Id).Name);
    }

    [Fact]
    public async Task Create_SameNameInParallel_ExactlyOneWins()
    {
        using var dir = new TempDir();
        Task<bool>[] tasks = Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
        {
            try
            {
                new ContainerStore(dir.Path).Create(NewRecord("web"));
                return true;
            }
            catch (EngineException e) when (e.Message.StartsWith("Conflict.", StringComparison.Ordinal))
            {
                return false;
            }
        })).ToArray();
        bool[] results = await Task.WhenAll(tasks);
        Assert.Single(results, r => r);
        var store = new ContainerStore(dir.Path);
        Assert.Single(store.List());
        Assert.Equal(store.List()[0].Id, store.Find("web").Id);
    }

    [Fact]
    public void Records_SurviveReopening()
    {
        using var dir = new TempDir();
        var first = new ContainerStore(dir.Path);
        ContainerRecord a = first.Create(NewRecord("a1"));
        ContainerRecord b = first.Create(NewRecord());
        var second = new ContainerStore(dir.Path);
        List<ContainerRecord> all = second.List();
        Assert.Equal(new[] { a.Id, b.Id }.Order(), all.Select(r => r.Id).Order());
        Assert.Equal(a.Id, second.Find("a1").Id);
        Assert.Equal(b.Id, second.Find(b.Name).Id);
        Assert.Equal(a.Created, second.Find(a.Id).Created);
        Assert.Equal(
            JsonSerializer.Serialize(a, ContainersJson.Default.ContainerRecord),
            JsonSerializer.Serialize(second.Find(a.Id), ContainersJson.Default.ContainerRecord));
    }
}
