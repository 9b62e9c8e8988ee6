using MyRuntime.Linux;
using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Tests;

public sealed class StateStoreTests : IDisposable
{
    private readonly TempDir tmp = new();
    private readonly StateStore store;

    public StateStoreTests()
    {
        store = new StateStore(tmp["state"]);
    }

    public void Dispose() => tmp.Dispose();

    private static ContainerState Sample(string id) => new()
    {
        Id = id,
        Pid = 4242,
        PidStartTime = 123456789,
        Bundle = "/bundles/" + id,
        Rootfs = "/bundles/" + id + "/rootfs",
        Created = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc),
        Owner = 1000,
        Config = new Spec
        {
            OciVersion = "1.2.0",
            Hostname = "h-" + id,
            Annotations = new() { ["org.example/key"] = "value" },
        },
    };

    private void Create(string id)
    {
        using (store.CreateLocked(id))
        {
            store.Save(Sample(id));
        }
    }

    [Theory]
    [InlineData("a")]
    [InlineData("abc123")]
    [InlineData("My_Container-1.2+3")]
    [InlineData("...")]
    [InlineData("a.b")]
    public void ValidateId_AcceptsLettersDigitsAndPunctuation(string id)
    {
        Assert.Null(Record.Exception(() => StateStore.ValidateId(id)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("../etc")]
    [InlineData("with space")]
    [InlineData("tab\t")]
    [InlineData("ünïcode")]
    [InlineData("colon:")]
    [InlineData("star*")]
    public void ValidateId_RejectsPathsAndOtherCharacters(string id)
    {
        var e = Assert.Throws<RuntimeException>(() => StateStore.ValidateId(id));

        Assert.StartsWith($"invalid container id '{id}'", e.Message);
    }

    [Fact]
    public void ValidateId_RejectsOverlongIds()
    {
        Assert.Null(Record.Exception(() => StateStore.ValidateId(new string('a', 1024))));
        Assert.Throws<RuntimeException>(() => StateStore.ValidateId(new string('a', 1025)));
    }

    [Fact]
    public void Paths_AreUnderTheRoot()
    {
        Assert.Equal(tmp["state"] + "/c1", store.DirOf("c1"));
        Assert.Equal(tmp["state"] + "/c1/exec.fifo", store.FifoOf("c1"));
    }

    [Fact]
    public void CreateLocked_MakesTheRootAndAPrivateContainerDirectory()
    {
        using (store.CreateLocked("c1"))
        {
            Assert.True(Directory.Exists(store.DirOf("c1")));
        }

        var mode = File.GetUnixFileMode(store.DirOf("c1"));
        Assert.Equal(UnixFileMode.None, mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute));
    }

    [Fact]
    public void CreateLocked_WhileAnotherCreateHoldsTheIdThrowsAlreadyExists()
    {
        using (store.CreateLocked("dup"))
        {
            var e = Assert.Throws<RuntimeException>(() => store.CreateLocked("dup"));

            Assert.Equal("container with id dup already exists", e.Message);
        }
    }

    [Fact]
    public void CreateLocked_TakesOverWhatAKilledCreateLeftBehind()
    {
        // A create killed after mkdir and before state.json leaves an unlocked directory without state.
        using (store.CreateLocked("abandoned"))
        {
        }

        File.WriteAllText(Path.Combine(store.DirOf("abandoned"), "exec.fifo"), "stale");

        using (store.CreateLocked("abandoned"))
        {
            Assert.False(File.Exists(Path.Combine(store.DirOf("abandoned"), "exec.fifo")));
        }
    }

    [Fact]
    public void CreateLocked_OfASavedContainerThrowsAlreadyExists()
    {
        Create("saved");

        var e = Assert.Throws<RuntimeException>(() => store.CreateLocked("saved"));

        Assert.Contains("already exists", e.Message);
    }

    [Fact]
    public void CreateLocked_ValidatesTheId()
    {
        Assert.Throws<RuntimeException>(() => store.CreateLocked("../escape"));
        Assert.False(Directory.Exists(tmp["escape"]));
    }

    [Fact]
    public void SaveAndLoad_RoundTrip()
    {
        Create("rt");

        var loaded = store.Load("rt");
        var expected = Sample("rt");

        Assert.Equal(expected.Id, loaded.Id);
        Assert.Equal(expected.Pid, loaded.Pid);
        Assert.Equal(expected.PidStartTime, loaded.PidStartTime);
        Assert.Equal(expected.Bundle, loaded.Bundle);
        Assert.Equal(expected.Rootfs, loaded.Rootfs);
        Assert.Equal(expected.Created, loaded.Created);
        Assert.Equal(expected.Owner, loaded.Owner);
        Assert.Equal("h-rt", loaded.Config.Hostname);
        Assert.Equal("value", loaded.Config.Annotations!["org.example/key"]);
    }

    [Fact]
    public void Save_ReplacesTheStateAndLeavesNoTempFile()
    {
        Create("again");
        var s = Sample("again");
        s.Pid = 99;

        store.Save(s);

        Assert.Equal(99, store.Load("again").Pid);
        Assert.Equal([StateStore.StateFile], Directory.GetFiles(store.DirOf("again")).Select(Path.GetFileName));
    }

    [Fact]
    public void Load_OfAMissingContainerSaysItDoesNotExist()
    {
        var e = Assert.Throws<RuntimeException>(() => store.Load("ghost"));

        Assert.Equal("container ghost does not exist", e.Message);
    }

    [Fact]
    public void Load_OfADirectoryWithoutStateSaysItDoesNotExist()
    {
        using (store.CreateLocked("half"))
        {
        }

        var e = Assert.Throws<RuntimeException>(() => store.Load("half"));

        Assert.Equal("container half does not exist", e.Message);
    }

    [Fact]
    public void Load_OfCorruptStateSaysSo()
    {
        using (store.CreateLocked("bad"))
        {
        }

        File.WriteAllText(Path.Combine(store.DirOf("bad"), StateStore.StateFile), "{ broken");

        var e = Assert.Throws<RuntimeException>(() => store.Load("bad"));
        Assert.StartsWith("state of container bad is corrupt", e.Message);
    }

    [Fact]
    public void Load_ValidatesTheId()
    {
        Assert.Throws<RuntimeException>(() => store.Load("a/b"));
    }

    [Fact]
    public void TryLoad_ReportsSuccessAndFailure()
    {
        Create("yes");

        Assert.True(store.TryLoad("yes", out var found));
        Assert.Equal("yes", found.Id);
        Assert.False(store.TryLoad("no", out var missing));
        Assert.Equal(string.Empty, missing.Id);
    }

    [Fact]
    public void Ids_OfAMissingRootIsEmpty()
    {
        Assert.Empty(store.Ids());
    }

    [Fact]
    public void Ids_ListsOnlyDirectoriesWithStateSorted()
    {
        Create("b");
        Create("a");
        Create("c");
        using (store.CreateLocked("no-state"))
        {
        }

        File.WriteAllText(Path.Combine(store.Root, "stray-file"), "");

        Assert.Equal(["a", "b", "c"], store.Ids());
    }

    [Fact]
    public void Remove_DeletesTheDirectoryAndIsIdempotent()
    {
        Create("gone");

        store.Remove("gone");
        store.Remove("gone");

        Assert.False(Directory.Exists(store.DirOf("gone")));
        Assert.Empty(store.Ids());
    }

    [Fact]
    public void Lock_OfAMissingContainerSaysItDoesNotExist()
    {
        var e = Assert.Throws<RuntimeException>(() => store.Lock("ghost"));

        Assert.Equal("container ghost does not exist", e.Message);
    }

    /// <summary>Whether another open file description could take the flock now (LOCK_EX | LOCK_NB).</summary>
    private static bool CanLock(string dir)
    {
        int fd = Files.Open(dir, Files.O_RDONLY | Files.O_DIRECTORY);
        try
        {
            Files.Flock(fd, Files.LOCK_EX | 4 /* LOCK_NB */);
            return true;
        }
        catch (LinuxException e) when (e.Errno == Errno.EAGAIN)
        {
            return false;
        }
        finally
        {
            Files.Close(fd);
        }
    }

    [Fact]
    public void Lock_HoldsAnExclusiveFlockUntilDisposed()
    {
        Create("locked");

        using (store.Lock("locked"))
        {
            Assert.False(CanLock(store.DirOf("locked")));
        }

        Assert.True(CanLock(store.DirOf("locked")));
    }

    [Fact]
    public void CreateLocked_ReturnsTheDirectoryLocked()
    {
        using (store.CreateLocked("new"))
        {
            Assert.False(CanLock(store.DirOf("new")));
        }

        Assert.True(CanLock(store.DirOf("new")));
    }
}
