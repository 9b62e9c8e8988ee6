using System.Text.Json;
using System.Text.Json.Serialization;
using MyRuntime.Oci.ImageSpec;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Oci;

/// <summary>Source-generated JSON for every OCI type: camelCase names, nulls left out, as the specs write them.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false,
    PropertyNameCaseInsensitive = true,
    AllowTrailingCommas = false,
    ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(Spec))]
[JsonSerializable(typeof(State))]
[JsonSerializable(typeof(Features))]
[JsonSerializable(typeof(Process))]
[JsonSerializable(typeof(LinuxResources))]
[JsonSerializable(typeof(LinuxSeccomp))]
[JsonSerializable(typeof(List<int>))]
[JsonSerializable(typeof(ImageIndex))]
[JsonSerializable(typeof(ImageManifest))]
[JsonSerializable(typeof(ImageConfig))]
[JsonSerializable(typeof(ImageLayout))]
[JsonSerializable(typeof(Descriptor))]
public sealed partial class OciJson : JsonSerializerContext
{
    private static OciJson? indented;

    /// <summary>The same types, written indented for people.</summary>
    public static OciJson Indented => indented ??= new OciJson(new JsonSerializerOptions(Default.Options) { WriteIndented = true });
}
