using System.Text.Json.Serialization;
using MyRuntime.Network.Endpoints;
using MyRuntime.Network.Networks;

namespace MyRuntime.Network;

/// <summary>Source-generated JSON for network configs and endpoints.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(NetworkConfig))]
[JsonSerializable(typeof(Endpoint))]
public sealed partial class NetworkJson : JsonSerializerContext
{
}
