namespace MyRuntime.IntegrationTests.Infrastructure.Containerd;

/// <summary>One private containerd per test class, started on first use (never when the tests are skipped).</summary>
public sealed class ContainerdFixture : IDisposable
{
    private readonly Lazy<ContainerdDaemon> daemon = new(() => new ContainerdDaemon());

    public ContainerdDaemon Daemon => daemon.Value;

    public void Dispose()
    {
        if (daemon.IsValueCreated)
        {
            daemon.Value.Dispose();
        }
    }
}

/// <summary>A [Fact] skipped, with the reason, when containerd, ctr or the runc shim are not installed.</summary>
public sealed class ContainerdFactAttribute : FactAttribute
{
    public ContainerdFactAttribute()
    {
        if (!ContainerdDaemon.Available)
        {
            Skip = ContainerdDaemon.SkipReason;
        }
    }
}
