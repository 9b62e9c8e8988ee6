using MyRuntime.Linux;

namespace MyRuntime.Tests.Images;

/// <summary>A [Fact] that needs root (device nodes, chown, trusted.* xattrs, mounts): skipped, saying so, otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Credentials.GetEuid() != 0)
        {
            Skip = "needs root (geteuid() != 0): device nodes, chown, trusted.* xattrs and mounts";
        }
    }
}
