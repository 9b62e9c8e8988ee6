using System.Text.Json.Serialization;
using MyRuntime.Runtime.Container;
using MyRuntime.Runtime.Init;

namespace MyRuntime.Runtime;

/// <summary>Source-generated JSON of the runtime's own records: container state and the init protocol.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ContainerState))]
[JsonSerializable(typeof(InitBootstrap))]
[JsonSerializable(typeof(InitMessage))]
[JsonSerializable(typeof(List<ContainerSummary>))]
internal sealed partial class RuntimeJson : JsonSerializerContext
{
}
