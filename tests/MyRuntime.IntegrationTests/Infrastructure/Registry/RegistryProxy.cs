using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace MyRuntime.IntegrationTests.Infrastructure.Registry;

/// <summary>One request a <see cref="RegistryProxy"/> listener received.</summary>
public sealed record SeenRequest(string Method, string Path, bool HadAuthorization)
{
    public bool IsBlob => Path.Contains("/blobs/", StringComparison.Ordinal);

    public bool IsManifest => Path.Contains("/manifests/", StringComparison.Ordinal);

    /// <summary>The sha256:… a blob or manifest-by-digest path ends with, or the last path segment.</summary>
    public string Last => Path[(Path.LastIndexOf('/') + 1)..];
}

/// <summary>An HTTP proxy on 127.0.0.1 in front of a <see cref="RegistryServer"/>: forwards requests (with their
/// Authorization header), and can answer chosen requests with an error status (<see cref="Intercept"/>) or send
/// blob GETs with a 307 to a second listener on 127.0.0.2 (<see cref="RedirectBlobs"/>), which serves the blob
/// fetched from the registry with the credentials. Both listeners record what they receive; stopped on dispose.</summary>
public sealed class RegistryProxy : IDisposable
{
    private readonly RegistryServer registry;
    private readonly HttpListener front;
    private readonly HttpListener blobHost;
    private readonly HttpClient http = new(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None });
    private readonly AuthenticationHeaderValue? credentials;
    private readonly ConcurrentDictionary<string, int> counts = new();
    private readonly List<Task> loops = [];

    public RegistryProxy(RegistryServer registry, string? user = null, string? password = null)
    {
        this.registry = registry;
        if (user is not null)
        {
            credentials = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        front = Listen(IPAddress.Loopback, out int frontPort);
        Host = $"127.0.0.1:{frontPort}";
        try
        {
            blobHost = Listen(IPAddress.Parse("127.0.0.2"), out int blobPort);
            BlobHost = $"127.0.0.2:{blobPort}";
        }
        catch
        {
            front.Close();
            throw;
        }

        loops.Add(Task.Run(() => AcceptLoop(front, HandleFrontAsync)));
        loops.Add(Task.Run(() => AcceptLoop(blobHost, HandleBlobHostAsync)));
    }

    /// <summary>host:port of the proxy (what references name).</summary>
    public string Host { get; }

    /// <summary>host:port of the listener blob GETs are redirected to.</summary>
    public string BlobHost { get; }

    public bool RedirectBlobs { get; set; }

    /// <summary>(method, path, how many times this method+path was seen, this one included) → a status to answer
    /// instead of forwarding, or null to forward.</summary>
    public Func<string, string, int, int?>? Intercept { get; set; }

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public ConcurrentQueue<SeenRequest> BlobHostRequests { get; } = new();

    private static HttpListener Listen(IPAddress address, out int port)
    {
        for (int attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(address, 0);
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://{address}:{port}/");
            try
            {
                listener.Start();
                return listener;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    private static async Task AcceptLoop(HttpListener listener, Func<HttpListenerContext, Task> handle)
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

            _ = Task.Run(async () =>
            {
                try
                {
                    await handle(ctx);
                }
                catch (Exception e) when (e is HttpListenerException or IOException or HttpRequestException or ObjectDisposedException)
                {
                    ctx.Response.Abort();
                }
            });
        }
    }

    private async Task HandleFrontAsync(HttpListenerContext ctx)
    {
        var req = ctx.Request;
        string path = req.RawUrl ?? "/";
        Requests.Enqueue(new SeenRequest(req.HttpMethod, path, req.Headers["Authorization"] is not null));
        int n = counts.AddOrUpdate(req.HttpMethod + " " + path, 1, (_, c) => c + 1);
        if (Intercept?.Invoke(req.HttpMethod, path, n) is int status)
        {
            ctx.Response.StatusCode = status;
            ctx.Response.StatusDescription = status switch { 429 => "Too Many Requests", 503 => "Service Unavailable", _ => "Error" };
            ctx.Response.Close();
            return;
        }

        if (RedirectBlobs && req.HttpMethod == "GET" && path.Contains("/blobs/", StringComparison.Ordinal))
        {
            ctx.Response.StatusCode = 307;
            ctx.Response.RedirectLocation = $"http://{BlobHost}{path}";
            ctx.Response.Close();
            return;
        }

        using var forward = new HttpRequestMessage(new HttpMethod(req.HttpMethod), $"http://{registry.Host}{path}");
        if (req.Headers["Authorization"] is { } auth)
        {
            forward.Headers.TryAddWithoutValidation("Authorization", auth);
        }

        if (req.Headers["Accept"] is { } accept)
        {
            forward.Headers.TryAddWithoutValidation("Accept", accept);
        }

        await RelayAsync(ctx, forward);
    }

    private async Task HandleBlobHostAsync(HttpListenerContext ctx)
    {
        var req = ctx.Request;
        string path = req.RawUrl ?? "/";
        BlobHostRequests.Enqueue(new SeenRequest(req.HttpMethod, path, req.Headers["Authorization"] is not null));
        using var forward = new HttpRequestMessage(new HttpMethod(req.HttpMethod), $"http://{registry.Host}{path}");
        forward.Headers.Authorization = credentials;
        await RelayAsync(ctx, forward);
    }

    private async Task RelayAsync(HttpListenerContext ctx, HttpRequestMessage forward)
    {
        using var resp = await http.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead);
        var o = ctx.Response;
        o.StatusCode = (int)resp.StatusCode;
        o.StatusDescription = resp.ReasonPhrase ?? "";
        foreach (string h in new[] { "WWW-Authenticate", "Docker-Content-Digest", "Docker-Distribution-Api-Version", "Location" })
        {
            if (resp.Headers.TryGetValues(h, out var values))
            {
                foreach (string v in values)
                {
                    o.AppendHeader(h, v);
                }
            }
        }

        if (resp.Content.Headers.ContentType is { } type)
        {
            o.ContentType = type.ToString();
        }

        if (ctx.Request.HttpMethod != "HEAD" && resp.Content.Headers.ContentLength is long length)
        {
            o.ContentLength64 = length;
        }

        using (var body = await resp.Content.ReadAsStreamAsync())
        {
            await body.CopyToAsync(o.OutputStream);
        }

        o.Close();
    }

    public void Dispose()
    {
        Listeners.Close(front);
        Listeners.Close(blobHost);
        Task.WaitAll(loops.ToArray(), TimeSpan.FromSeconds(5));
        http.Dispose();
    }
}
