using System.Text.Json.Serialization;

namespace MyRuntime.Images.Registry;

/// <summary>A token server's answer (Docker token auth): <c>token</c> or <c>access_token</c>, its lifetime.</summary>
public sealed class TokenResponse
{
    [JsonPropertyName("token")]
    public string? Token { get; set; }

    [JsonPropertyName("access_token")]
    public string? AccessToken { get; set; }

    [JsonPropertyName("expires_in")]
    public int? ExpiresIn { get; set; }

    [JsonPropertyName("issued_at")]
    public DateTimeOffset? IssuedAt { get; set; }
}

/// <summary>A credentials file in docker's config.json format: <c>{"auths":{"HOST":{"auth":"base64(user:pass)"}}}</c>.</summary>
public sealed class AuthFile
{
    [JsonPropertyName("auths")]
    public Dictionary<string, AuthEntry> Auths { get; set; } = [];
}

/// <summary>One registry's entry in an <see cref="AuthFile"/>.</summary>
public sealed class AuthEntry
{
    [JsonPropertyName("auth")]
    public string? Auth { get; set; }

    [JsonPropertyName("username")]
    public string? Username { get; set; }

    [JsonPropertyName("password")]
    public string? Password { get; set; }
}

/// <summary>The distribution-spec error body: <c>{"errors":[{"code":..,"message":..}]}</c>.</summary>
public sealed class RegistryErrors
{
    [JsonPropertyName("errors")]
    public List<RegistryError>? Errors { get; set; }
}

/// <summary>One error of a <see cref="RegistryErrors"/> body.</summary>
public sealed class RegistryError
{
    [JsonPropertyName("code")]
    public string? Code { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }
}

/// <summary>Source-generated JSON for the registry client's own documents.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(AuthFile))]
[JsonSerializable(typeof(RegistryErrors))]
public sealed partial class RegistryJson : JsonSerializerContext
{
}
