using MyRuntime.Linux;

namespace MyRuntime.Runtime.Config;

/// <summary>The spec's namespace type names and their clone flags.</summary>
public static class NamespaceKinds
{
    public static readonly (string Name, int Flag)[] All =
    [
        ("pid", Namespaces.CLONE_NEWPID),
        ("network", Namespaces.CLONE_NEWNET),
        ("mount", Namespaces.CLONE_NEWNS),
        ("ipc", Namespaces.CLONE_NEWIPC),
        ("uts", Namespaces.CLONE_NEWUTS),
        ("user", Namespaces.CLONE_NEWUSER),
        ("cgroup", Namespaces.CLONE_NEWCGROUP),
    ];

    public static int? Flag(string type)
    {
        foreach (var (name, flag) in All)
        {
            if (name == type)
            {
                return flag;
            }
        }

        return null;
    }
}
