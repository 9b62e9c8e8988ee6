using System.Reflection;
using System.Runtime.CompilerServices;

namespace MyRuntime.Tests.Network;

/// <summary>Compiles the spawner's child code in this (JIT) test host before the first spawn. The cloned child
/// runs that code before execve; if it had to be JIT-compiled there, the child would take the JIT's locks (held by
/// other threads at clone time: a hang) and write the shared W^X code mapping of the parent (a crash). The
/// shipped NativeAOT binary has everything compiled ahead of time.</summary>
internal static class SpawnWarmUp
{
    private static readonly Lock Gate = new();
    private static bool done;

    public static void Ensure()
    {
        lock (Gate)
        {
            if (done)
            {
                return;
            }

            var type = Type.GetType("MyRuntime.Linux.Spawn.RawChild, MyRuntime.Linux", throwOnError: true)!;
            foreach (var method in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (!method.IsGenericMethodDefinition)
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                }
            }

            done = true;
        }
    }
}
