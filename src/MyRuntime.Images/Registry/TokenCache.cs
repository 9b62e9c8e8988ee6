namespace MyRuntime.Images.Registry;

/// <summary>Bearer tokens per registry and scope, kept until shortly before they expire.</summary>
public sealed class TokenCache
{
    private readonly Dictionary<string, (string Token, DateTimeOffset Expires)> tokens = [];
    private readonly Lock gate = new();

    public string? Get(string registry, string scope)
    {
        lock (gate)
        {
            return tokens.TryGetValue(Key(registry, scope), out var t) && t.Expires > DateTimeOffset.UtcNow ? t.Token : null;
        }
    }

    /// <summary>Keeps a token for its lifetime less a margin (60 s when the server gave none, as the spec says).</summary>
    public void Put(string registry, string scope, string token, int? expiresIn)
    {
        int seconds = expiresIn is > 0 ? expiresIn.Value : 60;
        var expires = DateTimeOffset.UtcNow.AddSeconds(Math.Max(seconds - 10, seconds / 2));
        lock (gate)
        {
            tokens[Key(registry, scope)] = (token, expires);
        }
    }

    public void Forget(string registry, string scope)
    {
        lock (gate)
        {
            tokens.Remove(Key(registry, scope));
        }
    }

    private static string Key(string registry, string scope) => registry + "|" + scope;
}
