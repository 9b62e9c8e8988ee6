using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace MyRuntime.IntegrationTests.Infrastructure.Registry;

/// <summary>A Docker token server for tests, on loopback: RS256 JWTs signed by a fresh RSA key whose self-signed
/// certificate the registry trusts (rootcertbundle) and which rides in the token's x5c header. The right Basic
/// credentials get the actions asked for; anonymous requests get a token with no access; wrong ones a 401.</summary>
public sealed class TokenServer : IDisposable
{
    public const string Service = "myruntime-test-registry";
    public const string Issuer = "myruntime-test-issuer";
    private readonly HttpListener listener;
    private readonly RSA key;
    private readonly X509Certificate2 cert;
    private readonly string user;
    private readonly string password;
    private readonly Task loop;

    private TokenServer(HttpListener listener, RSA key, X509Certificate2 cert, string certPath, string realm, string user, string password)
    {
        this.listener = listener;
        this.key = key;
        this.cert = cert;
        CertificatePath = certPath;
        Realm = realm;
        this.user = user;
        this.password = password;
        loop = Task.Run(ServeAsync);
    }

    public string Realm { get; }

    public string CertificatePath { get; }

    public int Requests { get; private set; }

    public static TokenServer Start(string dir, string user, string password)
    {
        var key = RSA.Create(2048);
        var req = new CertificateRequest("CN=myruntime test token issuer", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        string certPath = Path.Combine(dir, "token-cert.pem");
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        for (int attempt = 0; ; attempt++)
        {
            int port = Random.Shared.Next(20000, 60000);
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new TokenServer(listener, key, cert, certPath, $"http://127.0.0.1:{port}/token", user, password);
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                ((IDisposable)listener).Dispose();
            }
        }
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                Handle(ctx);
            }
            finally
            {
                ctx.Response.Close();
            }
        }
    }

    private void Handle(HttpListenerContext ctx)
    {
        Requests++;
        string? header = ctx.Request.Headers["Authorization"];
        bool authenticated = false;
        if (header is not null)
        {
            string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
            if (header != expected)
            {
                ctx.Response.StatusCode = 401;
                return;
            }

            authenticated = true;
        }

        var access = new JsonArray();
        string? scope = ctx.Request.QueryString["scope"];
        if (authenticated && scope is not null)
        {
            string[] parts = scope.Split(':');
            if (parts.Length == 3)
            {
                var actions = new JsonArray(parts[2].Split(',').Select(a => (JsonNode)JsonValue.Create(a)).ToArray());
                access.Add((JsonNode)new JsonObject { ["type"] = parts[0], ["name"] = parts[1], ["actions"] = actions });
            }
        }

        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = authenticated ? user : "",
            ["aud"] = ctx.Request.QueryString["service"] ?? Service,
            ["exp"] = now + 300,
            ["nbf"] = now - 10,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access,
        };
        var head = new JsonObject
        {
            ["typ"] = "JWT",
            ["alg"] = "RS256",
            ["x5c"] = new JsonArray(JsonValue.Create(Convert.ToBase64String(cert.RawData))),
        };
        string signingInput = B64(Encoding.UTF8.GetBytes(head.ToJsonString())) + "." + B64(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        string jwt = signingInput + "." + B64(key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        byte[] body = Encoding.UTF8.GetBytes(new JsonObject { ["token"] = jwt, ["expires_in"] = 300 }.ToJsonString());
        ctx.Response.ContentType = "application/json";
        ctx.Response.OutputStream.Write(body);
    }

    private static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose()
    {
        Listeners.Close(listener);
        loop.Wait(2000);
        cert.Dispose();
        key.Dispose();
    }
}
