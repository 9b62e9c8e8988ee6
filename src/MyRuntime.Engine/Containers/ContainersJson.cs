using System.Text.Json.Serialization;

namespace MyRuntime.Engine.Containers;

/// <summary>Source-generated JSON for container records and the names index.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    UseStringEnumConverter = true,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ContainerRecord))]
[JsonSerializable(typeof(List<ContainerRecord>))]
[JsonSerializable(typeof(SortedDictionary<string, string>))]
public sealed partial class ContainersJson : JsonSerializerContext
{
}
