using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Cgroups;

/// <summary>One container's cgroup on either layout.</summary>
public interface ICgroup
{
    /// <summary>The directories that make it up, by hierarchy (v1 controller list, or "" on v2); kept in the state.</summary>
    IReadOnlyDictionary<string, string> Dirs { get; }

    /// <summary>Makes the directories and applies the limits (before any process is in it).</summary>
    void Create(LinuxResources? resources);

    /// <summary>Applies limits to the existing cgroup (create, and update of a running container).</summary>
    void Apply(LinuxResources? resources);

    /// <summary>Joins what an update's limits need that the container's cgroup lacks (v1 hierarchies joined only
    /// when used), moving its processes in; true when <see cref="Dirs"/> changed.</summary>
    bool Join(LinuxResources changes, string? cgroupsPath, string id);

    /// <summary>Moves a process in (the container's first process, before it runs user code).</summary>
    void Add(int pid);

    /// <summary>The host pids of every process in it.</summary>
    List<int> Pids();

    void Freeze(bool frozen);

    /// <summary>Sends a signal to every process in it, none of which can fork past the sweep (kill --all).</summary>
    void Signal(int signal);

    bool IsFrozen();

    /// <summary>Current usage: CPU, memory, pids, IO.</summary>
    CgroupStats Stats();

    /// <summary>How many times the OOM killer killed a process in it.</summary>
    long OomKills();

    /// <summary>Removes the directories, waiting a little for exiting processes to leave.</summary>
    void Destroy();
}
