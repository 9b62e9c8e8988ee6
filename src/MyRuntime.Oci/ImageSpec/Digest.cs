using System.Diagnostics.CodeAnalysis;

namespace MyRuntime.Oci.ImageSpec;

/// <summary>A content digest <c>algorithm:hex</c> (image-spec descriptor.md). Only sha256 and sha512 are accepted:
/// a digest names a file in the store, so nothing but lowercase hex of the right length gets through.</summary>
public readonly record struct Digest
{
    private Digest(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    public string Algorithm { get; }

    public string Hex { get; }

    public override string ToString() => $"{Algorithm}:{Hex}";

    public static Digest Sha256(ReadOnlySpan<byte> hash) => new("sha256", Convert.ToHexStringLower(hash));

    public static bool TryParse([NotNullWhen(true)] string? text, out Digest digest)
    {
        digest = default;
        if (text is null)
        {
            return false;
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        string algorithm = text[..colon];
        string hex = text[(colon + 1)..];
        int length = algorithm switch
        {
            "sha256" => 64,
            "sha512" => 128,
            _ => -1,
        };
        if (hex.Length != length || !hex.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
        {
            return false;
        }

        digest = new Digest(algorithm, hex);
        return true;
    }

    /// <summary>The digest in <paramref name="text"/>, or a <see cref="FormatException"/> naming what was read.</summary>
    public static Digest Parse(string? text, string what = "digest") =>
        TryParse(text, out var d) ? d : throw new FormatException($"invalid {what} \"{text}\": expected sha256:<64 hex> or sha512:<128 hex>");
}
