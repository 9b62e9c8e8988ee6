using System.Text.Json;
using System.Text.Json.Serialization;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Engine.Security;

/// <summary>
/// A --security-opt seccomp=FILE profile in Docker's format: the OCI linux.seccomp shape plus archMap (the
/// architectures of the native one), name as well as names, and per-rule includes/excludes on capabilities and
/// architectures ("amd64", "x86_64"; minKernel is accepted, this host being newer than any profile asks).
/// </summary>
public static class SeccompProfileFile
{
    private static readonly string[] NativeArches = ["amd64", "x86_64", "SCMP_ARCH_X86_64"];

    public static LinuxSeccomp Load(string path, IReadOnlyCollection<string> capabilities)
    {
        DockerProfile p;
        try
        {
            p = JsonSerializer.Deserialize(File.ReadAllText(path), SeccompProfileJson.Default.DockerProfile)
                ?? throw new EngineException($"seccomp profile {path}: empty");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"seccomp profile {path}: {e.Message.Split('\n')[0]}");
        }

        var arches = p.Architectures ?? [];
        foreach (var m in p.ArchMap ?? [])
        {
            if (m.Architecture == "SCMP_ARCH_X86_64")
            {
                arches = [m.Architecture, .. m.SubArchitectures ?? []];
            }
        }

        var rules = new List<LinuxSyscall>();
        foreach (var s in p.Syscalls ?? [])
        {
            if (!Applies(s.Includes, capabilities, all: true) || Applies(s.Excludes, capabilities, all: false))
            {
                continue;
            }

            List<string> names = [.. s.Names ?? [], .. s.Name is { } n ? [n] : Array.Empty<string>()];
            rules.Add(new LinuxSyscall { Names = names, Action = s.Action, ErrnoRet = s.ErrnoRet, Args = s.Args });
        }

        return new LinuxSeccomp
        {
            DefaultAction = p.DefaultAction,
            DefaultErrnoRet = p.DefaultErrnoRet,
            Architectures = arches.Count > 0 ? arches : null,
            Flags = p.Flags,
            ListenerPath = p.ListenerPath,
            ListenerMetadata = p.ListenerMetadata,
            Syscalls = rules,
        };
    }

    /// <summary>includes (all: every listed condition met) or excludes (all false: any listed condition met).</summary>
    private static bool Applies(DockerFilter? f, IReadOnlyCollection<string> capabilities, bool all)
    {
        if (f is null)
        {
            return all;
        }

        bool? caps = f.Caps is { Count: > 0 } c ? (all ? c.All(capabilities.Contains) : c.Any(capabilities.Contains)) : null;
        bool? arches = f.Arches is { Count: > 0 } a ? a.Any(NativeArches.Contains) : null;
        return all ? caps != false && arches != false : caps == true || arches == true;
    }
}

public sealed class DockerProfile
{
    public string DefaultAction { get; set; } = string.Empty;

    public uint? DefaultErrnoRet { get; set; }

    public List<string>? Architectures { get; set; }

    public List<DockerArchMap>? ArchMap { get; set; }

    public List<string>? Flags { get; set; }

    public string? ListenerPath { get; set; }

    public string? ListenerMetadata { get; set; }

    public List<DockerSyscall>? Syscalls { get; set; }
}

public sealed class DockerArchMap
{
    public string Architecture { get; set; } = string.Empty;

    public List<string>? SubArchitectures { get; set; }
}

public sealed class DockerSyscall
{
    public string? Name { get; set; }

    public List<string>? Names { get; set; }

    public string Action { get; set; } = string.Empty;

    public uint? ErrnoRet { get; set; }

    public List<LinuxSeccompArg>? Args { get; set; }

    public string? Comment { get; set; }

    public DockerFilter? Includes { get; set; }

    public DockerFilter? Excludes { get; set; }
}

public sealed class DockerFilter
{
    public List<string>? Caps { get; set; }

    public List<string>? Arches { get; set; }

    public string? MinKernel { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(DockerProfile))]
internal sealed partial class SeccompProfileJson : JsonSerializerContext
{
}
