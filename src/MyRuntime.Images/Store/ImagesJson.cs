using System.Text.Json.Serialization;

namespace MyRuntime.Images.Store;

/// <summary>Source-generated JSON for the store's records and the tag index.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ImageRecord))]
[JsonSerializable(typeof(List<ImageRecord>))]
[JsonSerializable(typeof(SortedDictionary<string, string>))]
[JsonSerializable(typeof(List<ImageInspect>))]
[JsonSerializable(typeof(MyRuntime.Images.Snapshots.SnapshotUse))]
public sealed partial class ImagesJson : JsonSerializerContext
{
}
