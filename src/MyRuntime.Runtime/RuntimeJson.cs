using System.Text.Json.Serialization;
using MyRuntime.Runtime.Container;

namespace MyRuntime.Runtime;

/// <summary>Source-generated JSON of the runtime's own records.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ContainerState))]
[JsonSerializable(typeof(List<ContainerSummary>))]
[JsonSerializable(typeof(Cgroups.CgroupEvent))]
internal sealed partial class RuntimeJson : JsonSerializerContext
{
}
