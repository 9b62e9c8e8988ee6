using System.Diagnostics.CodeAnalysis;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Reference;

/// <summary>An image reference parsed as Docker parses it: <c>[registry/]repository[:tag][@digest]</c>. A first
/// component with a <c>.</c> or <c>:</c>, equal to <c>localhost</c> or with an uppercase letter is a registry;
/// otherwise the registry is docker.io, where single names live under <c>library/</c>. A reference with neither tag
/// nor digest gets the tag <c>latest</c>.</summary>
public sealed class ImageReference
{
    public const string DockerHub = "docker.io";
    public const string DefaultTag = "latest";
    private const int MaxNameLength = 255;

    private ImageReference(string registry, string repository, string? tag, Digest? digest)
    {
        Registry = registry;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The registry as named (<c>docker.io</c>, <c>127.0.0.1:5000</c>).</summary>
    public string Registry { get; }

    /// <summary>The repository path in the registry (<c>library/busybox</c>).</summary>
    public string Repository { get; }

    public string? Tag { get; }

    public Digest? Digest { get; }

    /// <summary>The host[:port] the API is reached at: docker.io is served by registry-1.docker.io.</summary>
    public string ApiHost => Registry == DockerHub ? "registry-1.docker.io" : Registry;

    /// <summary>registry/repository, fully spelled (<c>docker.io/library/busybox</c>).</summary>
    public string Name => $"{Registry}/{Repository}";

    /// <summary>The name as users write it: docker.io and library/ left out (<c>busybox</c>, <c>user/app</c>),
    /// unless its first component would then read as a registry (<c>docker.io/foo.com/app</c>).</summary>
    public string FamiliarName => Registry != DockerHub ? Name
        : Repository.StartsWith("library/", StringComparison.Ordinal) && Repository.IndexOf('/', 8) < 0 ? Repository[8..]
        : IsRegistryComponent(Repository[..Math.Max(Repository.IndexOf('/', StringComparison.Ordinal), 0)]) ? Name
        : Repository;

    /// <summary>Name:tag, the key of the tag index (null when pulled by digest only).</summary>
    public string? TaggedName => Tag is null ? null : $"{Name}:{Tag}";

    /// <summary>The full reference: name, then :tag and/or @digest.</summary>
    public override string ToString() => Name + Suffix;

    /// <summary>The familiar reference (<c>busybox:latest</c>, <c>127.0.0.1:5000/x:y</c>).</summary>
    public string Familiar => FamiliarName + Suffix;

    private string Suffix => (Tag is null ? "" : ":" + Tag) + (Digest is { } d ? "@" + d : "");

    public ImageReference WithDigest(Digest digest) => new(Registry, Repository, null, digest);

    public ImageReference WithTag(string tag) => new(Registry, Repository, tag, null);

    /// <summary>The reference in <paramref name="text"/>, or an <see cref="ImagesException"/> saying what is wrong.</summary>
    public static ImageReference Parse(string text) =>
        TryParse(text, out var r, out string? error) ? r : throw new ImagesException($"invalid reference format \"{text}\": {error}");

    public static bool TryParse(string text, [NotNullWhen(true)] out ImageReference? reference, [NotNullWhen(false)] out string? error)
    {
        reference = null;
        error = Check(text, out string registry, out string repository, out string? tag, out Digest? digest);
        if (error is not null)
        {
            return false;
        }

        reference = new ImageReference(registry, repository, tag, digest);
        return true;
    }

    private static string? Check(string text, out string registry, out string repository, out string? tag, out Digest? digest)
    {
        registry = DockerHub;
        repository = "";
        tag = null;
        digest = null;
        if (string.IsNullOrEmpty(text))
        {
            return "empty reference";
        }

        string rest = text;
        int at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            if (!Oci.ImageSpec.Digest.TryParse(rest[(at + 1)..], out var d))
            {
                return $"invalid digest \"{rest[(at + 1)..]}\"";
            }

            digest = d;
            rest = rest[..at];
        }

        int slash = rest.LastIndexOf('/');
        int colon = rest.LastIndexOf(':');
        if (colon > slash)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!IsTag(tag))
            {
                return $"invalid tag \"{tag}\"";
            }
        }

        int first = rest.IndexOf('/', StringComparison.Ordinal);
        if (first >= 0 && IsRegistryComponent(rest[..first]))
        {
            registry = rest[..first];
            rest = rest[(first + 1)..];
            if (!IsHost(registry))
            {
                return $"invalid registry \"{registry}\"";
            }
        }

        if (registry is "index.docker.io" or "registry-1.docker.io")
        {
            registry = DockerHub;
        }

        if (rest.Length == 0)
        {
            return "empty repository name";
        }

        if (rest.Any(char.IsUpper))
        {
            return "repository name must be lowercase";
        }

        foreach (string component in rest.Split('/'))
        {
            if (!IsPathComponent(component))
            {
                return $"invalid repository name component \"{component}\"";
            }
        }

        if (registry == DockerHub && !rest.Contains('/', StringComparison.Ordinal))
        {
            rest = "library/" + rest;
        }

        if (registry.Length + 1 + rest.Length > MaxNameLength)
        {
            return $"repository name longer than {MaxNameLength} characters";
        }

        repository = rest;
        if (tag is null && digest is null)
        {
            tag = DefaultTag;
        }

        return null;
    }

    private static bool IsRegistryComponent(string s) =>
        s.Contains('.', StringComparison.Ordinal) || s.Contains(':', StringComparison.Ordinal) || s == "localhost" || s.Any(char.IsUpper);

    /// <summary>[\w][\w.-]{0,127}</summary>
    private static bool IsTag(string s) =>
        s.Length is > 0 and <= 128 && IsWord(s[0]) && s.All(c => IsWord(c) || c is '.' or '-');

    private static bool IsWord(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>[a-z0-9]+ with single separators (<c>.</c>, <c>_</c>, <c>__</c> or runs of <c>-</c>) between.</summary>
    private static bool IsPathComponent(string s)
    {
        if (s.Length == 0 || !IsAlnum(s[0]) || !IsAlnum(s[^1]))
        {
            return false;
        }

        int i = 0;
        while (i < s.Length)
        {
            if (IsAlnum(s[i]))
            {
                i++;
                continue;
            }

            int start = i;
            while (i < s.Length && !IsAlnum(s[i]))
            {
                i++;
            }

            string sep = s[start..i];
            bool ok = sep is "." or "_" or "__" || sep.All(c => c == '-');
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAlnum(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');

    /// <summary>host[:port], the host a DNS name, an IPv4 address or a bracketed IPv6 address.</summary>
    private static bool IsHost(string s)
    {
        string host;
        string rest;
        if (s.StartsWith('['))
        {
            int close = s.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !System.Net.IPAddress.TryParse(s[1..close], out _))
            {
                return false;
            }

            host = "";
            rest = s[(close + 1)..];
        }
        else
        {
            int colon = s.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? s : s[..colon];
            rest = colon < 0 ? "" : s[colon..];
            bool labelsOk = host.Length > 0 && host.Split('.').All(l => l.Length > 0 && char.IsAsciiLetterOrDigit(l[0])
                && char.IsAsciiLetterOrDigit(l[^1]) && l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
            if (!labelsOk)
            {
                return false;
            }
        }

        return rest.Length == 0 || (rest[0] == ':' && rest.Length is >= 2 and <= 6 && rest[1..].All(char.IsAsciiDigit));
    }
}
