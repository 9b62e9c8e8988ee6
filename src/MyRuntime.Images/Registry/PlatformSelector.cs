using System.Runtime.InteropServices;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Registry;

/// <summary>A wanted platform, <c>os/arch[/variant]</c>, and the choice of the matching manifest in an index.</summary>
public sealed record PlatformSelector(string Os, string Architecture, string? Variant)
{
    /// <summary>linux and this machine's architecture (linux/amd64 on x86_64).</summary>
    public static PlatformSelector Default { get; } = new("linux", RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        _ => "amd64",
    }, null);

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";

    public static PlatformSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Default;
        }

        string[] parts = text.Trim().ToLowerInvariant().Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length == 0 || !p.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
        {
            throw new ImagesException($"invalid platform \"{text}\": expected os/arch[/variant]");
        }

        string arch = parts[1] switch
        {
            "x86_64" or "x86-64" => "amd64",
            "aarch64" => "arm64",
            _ => parts[1],
        };
        return new PlatformSelector(parts[0], arch, parts.Length == 3 ? parts[2] : null);
    }

    /// <summary>The index's manifest for this platform; without a variant asked for, one without a variant (or
    /// arm64's v8) is preferred. None: an error listing what the index offers.</summary>
    public Descriptor Select(ImageIndex index, string display)
    {
        var candidates = index.Manifests
            .Where(m => m.Platform is { } p && p.Os == Os && p.Architecture == Architecture
                && (Variant is null || p.Variant == Variant || (p.Variant is null && Architecture == "arm64" && Variant == "v8")))
            .OrderBy(m => m.Platform!.Variant is null || m.Platform.Variant == "v8" ? 0 : 1)
            .ToList();
        if (candidates.Count > 0)
        {
            return candidates[0];
        }

        var offered = index.Manifests.Where(m => m.Platform is { Os.Length: > 0 } p && p.Os != "unknown")
            .Select(m => m.Platform!.ToString()).Distinct().ToList();
        throw new ImagesException($"no matching manifest for {this} in the manifest list of {display} (it offers: {(offered.Count == 0 ? "no platform" : string.Join(", ", offered))})");
    }
}
