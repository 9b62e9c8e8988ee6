using MyRuntime.Linux;

namespace MyRuntime.Engine.Containers;

/// <summary>The process making a container, named in its record until the record is complete: a record whose maker
/// died first (SIGKILL in the middle of `create` or `run`) is abandoned, never taken for a container.</summary>
public static class CreatorProcess
{
    /// <summary>Names this process as the maker of the container in <paramref name="state"/>.</summary>
    public static void Claim(ContainerState state)
    {
        state.CreatorPid = Environment.ProcessId;
        state.CreatorStartTime = ProcFs.OwnStartTime();
    }

    /// <summary>Marks the record complete: it no longer depends on its maker.</summary>
    public static void Release(ContainerState state)
    {
        state.CreatorPid = 0;
        state.CreatorStartTime = 0;
    }

    /// <summary>True when the record is still being made but its maker is gone (a reused pid is not taken for it).</summary>
    public static bool Abandoned(ContainerRecord r) =>
        r.State.CreatorPid > 0 && !ProcFs.IsAlive(r.State.CreatorPid, r.State.CreatorStartTime);
}
