using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Engine.Init;

/// <summary>
/// Puts our binary into a container as its init (`run --init`). The binary is bound read-only at
/// <see cref="BinaryPath"/>. It is linked against the host's glibc, which the image may lack (busybox, alpine) or
/// hold in another version, so when it is dynamically linked the host's loader and the libraries it loads are bound
/// too, into a small tmpfs at <see cref="LibraryDir"/>, and the init runs through that loader:
/// <c>LOADER --library-path LibraryDir /sbin/myruntime-init __init -- ARGS...</c>. Nothing of the image is
/// touched and the program's own library lookups stay those of the image.
/// </summary>
public static class InitMount
{
    public const string BinaryPath = "/sbin/myruntime-init";

    public const string LibraryDir = "/sbin/.myruntime-init";

    /// <summary>The word on our command line that enters <see cref="MiniInit.Run"/>.</summary>
    public const string DispatchWord = "__init";

    private static readonly string[] BindOptions = ["bind", "ro", "nosuid", "nodev"];

    /// <summary>Adds the init to spec for the binary at binaryPath (Environment.ProcessPath), with the loader and
    /// libraries this process has mapped.</summary>
    public static void Apply(Spec spec, string binaryPath) => Apply(spec, binaryPath, HostLibraries.OfThisProcess(binaryPath));

    /// <summary>Adds the init to spec: the mounts, and the init in front of process.args. libraries: host paths
    /// of the dynamic loader and the shared libraries the binary needs; empty for a static binary.</summary>
    public static void Apply(Spec spec, string binaryPath, IReadOnlyList<string> libraries)
    {
        if (spec.Process is not { Args.Count: > 0 } process)
        {
            throw new EngineException("--init needs a command to run");
        }

        if (!Path.IsPathRooted(binaryPath) || !File.Exists(binaryPath))
        {
            throw new EngineException($"--init: the init binary {binaryPath} does not exist");
        }

        string? loader = libraries.FirstOrDefault(HostLibraries.IsLoader);
        if (libraries.Count > 0 && loader is null)
        {
            throw new EngineException("--init: no dynamic loader among the init's libraries");
        }

        spec.Mounts ??= [];
        spec.Mounts.Add(Bind(binaryPath, BinaryPath));
        var prefix = new List<string>();
        if (loader is not null)
        {
            spec.Mounts.Add(new Mount
            {
                Destination = LibraryDir,
                Type = "tmpfs",
                Source = "tmpfs",
                Options = ["nosuid", "nodev", "mode=755", "size=64k"],
            });
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (string library in libraries)
            {
                string name = Path.GetFileName(library);
                if (!names.Add(name))
                {
                    throw new EngineException($"--init: two host libraries named {name}");
                }

                spec.Mounts.Add(Bind(library, $"{LibraryDir}/{name}"));
            }

            prefix.AddRange([$"{LibraryDir}/{Path.GetFileName(loader)}", "--library-path", LibraryDir]);
        }

        prefix.AddRange([BinaryPath, DispatchWord, "--"]);
        process.Args.InsertRange(0, prefix);
    }

    private static Mount Bind(string source, string destination) => new()
    {
        Destination = destination,
        Type = "bind",
        Source = source,
        Options = [.. BindOptions],
    };
}
