namespace MyRuntime.IntegrationTests.Infrastructure;

/// <summary>Base class: one fresh <see cref="TestEnv"/> per test, cleaned up even when the test fails.</summary>
public abstract class IntegrationTest : IDisposable
{
    protected IntegrationTest() => Env = new TestEnv();

    protected TestEnv Env { get; }

    public virtual void Dispose()
    {
        Env.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// A [Fact] that is skipped when the binary under test is runc, for the few behaviours
/// where runc legitimately differs from what myruntime must do. The reason is mandatory.
/// </summary>
public sealed class NotOnRuncFactAttribute : FactAttribute
{
    public NotOnRuncFactAttribute(string reason)
    {
        if (TestSettings.IsRunc)
        {
            Skip = "runc differs here: " + reason;
        }
    }
}
