using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Images.Registry;

/// <summary>The Docker Registry HTTP API v2 / OCI distribution client for one registry: the /v2/ ping, Basic and
/// Bearer (token server) authentication, redirects followed by hand (the Authorization header never goes to another
/// host), retries of transient failures.</summary>
public sealed partial class RegistryClient : IDisposable
{
    private const int MaxRedirects = 10;
    private readonly HttpClient http;
    private readonly TokenCache tokens;
    private readonly SemaphoreSlim pingGate = new(1, 1);
    private bool pinged;
    private AuthChallenge? challenge;

    /// <param name="registry">The registry as references name it (docker.io, host:port).</param>
    /// <param name="apiHost">Where its API is (registry-1.docker.io for docker.io).</param>
    public RegistryClient(string registry, string apiHost, RegistryCredentials? credentials, TokenCache? tokens = null)
    {
        Registry = registry;
        BaseUri = RegistryHosts.BaseUri(apiHost);
        Credentials = credentials;
        this.tokens = tokens ?? new TokenCache();
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            MaxConnectionsPerServer = 8,
        };
        http = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("myruntime", "0.1"));
    }

    public string Registry { get; }

    public Uri BaseUri { get; }

    public RegistryCredentials? Credentials { get; }

    public void Dispose()
    {
        http.Dispose();
        pingGate.Dispose();
    }

    /// <summary>GET /v2/: learns how the registry wants to be authenticated (once per client).</summary>
    public async Task PingAsync(CancellationToken ct)
    {
        await pingGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (pinged)
            {
                return;
            }

            challenge = await Retry.RunAsync(async _ =>
            {
                using var resp = await SendAsync(HttpMethod.Get, new Uri(BaseUri, "v2/"), null, null, ct).ConfigureAwait(false);
                if (resp.StatusCode == HttpStatusCode.Unauthorized)
                {
                    var all = resp.Headers.WwwAuthenticate.SelectMany(h => AuthChallenge.Parse(h.ToString())).ToList();
                    return all.FirstOrDefault(c => c.IsBearer) ?? all.FirstOrDefault(c => c.IsBasic)
                        ?? throw new ImagesException($"registry {Registry} asks for authentication in a way not supported: {string.Join(", ", all.Select(c => c.Scheme))}");
                }

                ThrowTransient(resp, $"registry {Registry}");
                if (!resp.IsSuccessStatusCode)
                {
                    throw new ImagesException($"registry {Registry} is not a registry: GET /v2/ answered {(int)resp.StatusCode} {resp.ReasonPhrase}");
                }

                return (AuthChallenge?)null;
            }, ct).ConfigureAwait(false);
            pinged = true;
        }
        catch (ImagesException e) when (e.Message.Contains("gave up", StringComparison.Ordinal))
        {
            throw new ImagesException($"cannot reach registry {Registry} at {BaseUri}: {e.Message}");
        }
        finally
        {
            pingGate.Release();
        }
    }

    /// <summary>Checks the credentials against the registry (for login): the Basic /v2/ request, or a token from
    /// the token server, must be accepted.</summary>
    public async Task VerifyCredentialsAsync(CancellationToken ct)
    {
        await PingAsync(ct).ConfigureAwait(false);
        if (challenge is null)
        {
            return;
        }

        using var resp = await SendAuthorizedAsync(HttpMethod.Get, new Uri(BaseUri, "v2/"), null, null, ct).ConfigureAwait(false);
        if (resp.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new ImagesException($"login to {Registry} failed: {(Credentials is null ? "authentication required" : "wrong username or password")}");
        }

        if (!resp.IsSuccessStatusCode)
        {
            throw new ImagesException($"login to {Registry} failed: GET /v2/ answered {(int)resp.StatusCode} {resp.ReasonPhrase}");
        }
    }

    /// <summary>A request with the registry's authentication, retried once with a fresh token after a 401 (an
    /// expired token, or a scope the challenge names).</summary>
    internal async Task<HttpResponseMessage> SendAuthorizedAsync(HttpMethod method, Uri uri, string? scope, string[]? accept, CancellationToken ct)
    {
        await PingAsync(ct).ConfigureAwait(false);
        var auth = await AuthorizationAsync(scope, ct).ConfigureAwait(false);
        var resp = await SendAsync(method, uri, auth, accept, ct).ConfigureAwait(false);
        if (resp.StatusCode != HttpStatusCode.Unauthorized || challenge is not { IsBearer: true } || auth is null)
        {
            return resp;
        }

        var fresh = resp.Headers.WwwAuthenticate.SelectMany(h => AuthChallenge.Parse(h.ToString())).FirstOrDefault(c => c.IsBearer);
        string? newScope = fresh?["scope"] ?? scope;
        if (fresh?["error"] == "insufficient_scope" && newScope == scope)
        {
            return resp;
        }

        resp.Dispose();
        tokens.Forget(Registry, scope ?? "");
        auth = await AuthorizationAsync(newScope, ct).ConfigureAwait(false);
        return await SendAsync(method, uri, auth, accept, ct).ConfigureAwait(false);
    }

    private async Task<AuthenticationHeaderValue?> AuthorizationAsync(string? scope, CancellationToken ct)
    {
        if (challenge is null)
        {
            return null;
        }

        if (challenge.IsBasic)
        {
            return Credentials is null ? null : new AuthenticationHeaderValue("Basic", Credentials.Encoded);
        }

        string token = tokens.Get(Registry, scope ?? "") ?? await FetchTokenAsync(scope, ct).ConfigureAwait(false);
        return new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>GET realm?service=..&amp;scope=.. (with Basic credentials when known): the bearer token.</summary>
    private async Task<string> FetchTokenAsync(string? scope, CancellationToken ct)
    {
        string realm = challenge!["realm"] ?? throw new ImagesException($"registry {Registry} asks for a bearer token but names no realm");
        if (!Uri.TryCreate(realm, UriKind.Absolute, out var realmUri) || (realmUri.Scheme != "https"
            && !(realmUri.Scheme == "http" && (RegistryHosts.AllowsPlainHttp(realmUri.Authority) || BaseUri.Scheme == "http"))))
        {
            throw new ImagesException($"registry {Registry} names a token realm that is not an https URL: {realm}");
        }

        var query = new List<string>();
        if (challenge["service"] is { } service)
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }

        if (!string.IsNullOrEmpty(scope))
        {
            query.Add("scope=" + Uri.EscapeDataString(scope));
        }

        var uri = new UriBuilder(realmUri) { Query = string.Join('&', query.Prepend(realmUri.Query.TrimStart('?')).Where(q => q.Length > 0)) }.Uri;
        var basic = Credentials is null ? null : new AuthenticationHeaderValue("Basic", Credentials.Encoded);
        TokenResponse? body = await Retry.RunAsync(async _ =>
        {
            using var resp = await SendAsync(HttpMethod.Get, uri, basic, null, ct, authHost: uri.Authority).ConfigureAwait(false);
            if (resp.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new ImagesException(Credentials is null
                    ? $"authentication required by registry {Registry}: its token server refused anonymous access"
                    : $"authentication failed for registry {Registry}: wrong username or password");
            }

            ThrowTransient(resp, $"token server of {Registry}");
            if (!resp.IsSuccessStatusCode)
            {
                throw new ImagesException($"token server of {Registry} answered {(int)resp.StatusCode} {resp.ReasonPhrase}");
            }

            byte[] bytes = await resp.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            try
            {
                return JsonSerializer.Deserialize(bytes, RegistryJson.Default.TokenResponse);
            }
            catch (JsonException e)
            {
                throw new ImagesException($"token server of {Registry} answered something that is not a token: {e.Message}");
            }
        }, ct).ConfigureAwait(false);
        string token = body?.Token is { Length: > 0 } t ? t : body?.AccessToken is { Length: > 0 } a ? a
            : throw new ImagesException($"token server of {Registry} answered without a token");
        tokens.Put(Registry, scope ?? "", token, body!.ExpiresIn);
        return token;
    }

    /// <summary>One request, redirects followed by hand. The Authorization header goes only to
    /// <paramref name="authHost"/> (the registry by default), never to the host a redirect leads to; an https
    /// request is never redirected to plain http.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, AuthenticationHeaderValue? auth, string[]? accept,
        CancellationToken ct, string? authHost = null)
    {
        authHost ??= BaseUri.Authority;
        for (int hop = 0; ; hop++)
        {
            using var req = new HttpRequestMessage(method, uri);
            if (auth is not null && uri.Authority.Equals(authHost, StringComparison.OrdinalIgnoreCase))
            {
                req.Headers.Authorization = auth;
            }

            foreach (string a in accept ?? [])
            {
                req.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(a));
            }

            var resp = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            int code = (int)resp.StatusCode;
            if (code is 301 or 302 or 303 or 307 or 308 && resp.Headers.Location is { } location)
            {
                resp.Dispose();
                if (hop >= MaxRedirects)
                {
                    throw new ImagesException($"registry {Registry}: too many redirects from {uri.GetLeftPart(UriPartial.Path)}");
                }

                var next = new Uri(uri, location);
                if (uri.Scheme == "https" && next.Scheme != "https")
                {
                    throw new ImagesException($"registry {Registry}: refusing a redirect from https to {next.Scheme}");
                }

                uri = next;
                continue;
            }

            return resp;
        }
    }

    /// <summary>5xx and 429 answers become a <see cref="TransientRegistryException"/> (retried).</summary>
    internal static void ThrowTransient(HttpResponseMessage resp, string what)
    {
        int code = (int)resp.StatusCode;
        if (code >= 500 || code == 429)
        {
            var after = resp.Headers.RetryAfter?.Delta;
            throw new TransientRegistryException($"{what} answered {code} {resp.ReasonPhrase}", after);
        }
    }

    /// <summary>The messages of a distribution-spec error body, if any.</summary>
    internal static async Task<string> ErrorTextAsync(HttpResponseMessage resp, CancellationToken ct)
    {
        try
        {
            byte[] bytes = await resp.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            var errors = JsonSerializer.Deserialize(bytes, RegistryJson.Default.RegistryErrors)?.Errors;
            return errors is { Count: > 0 } ? ": " + string.Join("; ", errors.Select(e => (e.Message ?? e.Code ?? "").ToLowerInvariant())) : "";
        }
        catch (Exception e) when (e is JsonException or HttpRequestException or IOException)
        {
            return "";
        }
    }

    /// <summary>The error for a 401/403/other failure of a request about <paramref name="what"/>.</summary>
    internal async Task<ImagesException> FailureAsync(HttpResponseMessage resp, string what, CancellationToken ct)
    {
        string detail = await ErrorTextAsync(resp, ct).ConfigureAwait(false);
        return resp.StatusCode switch
        {
            HttpStatusCode.Unauthorized when Credentials is null =>
                new ImagesException($"{what}: authentication required by registry {Registry} (myruntime login {Registry})"),
            HttpStatusCode.Unauthorized => new ImagesException($"{what}: authentication failed for registry {Registry}: wrong username or password, or access denied"),
            HttpStatusCode.Forbidden => new ImagesException($"{what}: access denied by registry {Registry}{detail}"),
            _ => new ImagesException($"{what}: registry {Registry} answered {(int)resp.StatusCode} {resp.ReasonPhrase}{detail}"),
        };
    }

    internal static string PullScope(string repository) => $"repository:{repository}:pull";

    internal Uri ApiUri(string path) => new(BaseUri, path);

    internal static string ContentType(HttpResponseMessage resp) => resp.Content.Headers.ContentType?.MediaType ?? "";

    internal static bool IsDigest(string s) => Digest.TryParse(s, out _);
}
