using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace MyRuntime.IntegrationTests.Infrastructure.Containerd;

/// <summary>containerd's Tasks.Update over its gRPC socket, which ctr 1.6 has no command for: the request a client
/// such as the CRI plugin sends, whose resources containerd hands to the shim, which runs the runtime's
/// `update --resources -` with them as JSON on stdin. Encoded here by hand (a few protobuf fields in one gRPC frame
/// over HTTP/2 without TLS) so the tests need no gRPC packages.</summary>
public static class ContainerdTaskUpdate
{
    /// <summary>The type URL containerd registers for the runtime-spec's LinuxResources (carried as JSON).</summary>
    public const string LinuxResourcesType = "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources";

    /// <summary>Sends UpdateTaskRequest{container_id, resources}; returns (grpc-status, grpc-message).</summary>
    public static (int Status, string Message) Send(string socket, string ns, string id, string resourcesJson)
    {
        byte[] any = [.. Field(1, Encoding.UTF8.GetBytes(LinuxResourcesType)), .. Field(2, Encoding.UTF8.GetBytes(resourcesJson))];
        byte[] request = [.. Field(1, Encoding.UTF8.GetBytes(id)), .. Field(2, any)];
        byte[] frame = new byte[5 + request.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)request.Length);
        request.CopyTo(frame, 5);

        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                    return new NetworkStream(s, ownsSocket: true);
                }
                catch
                {
                    s.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30 * TestSettings.TimeoutScale) };
        using var message = new HttpRequestMessage(HttpMethod.Post, "http://containerd/containerd.services.tasks.v1.Tasks/Update")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        message.Headers.TryAddWithoutValidation("te", "trailers");
        message.Headers.TryAddWithoutValidation("containerd-namespace", ns);
        using var response = client.SendAsync(message).GetAwaiter().GetResult();
        response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult(); // the trailers follow the body
        string? status = Header(response, "grpc-status");
        Assert.True(status is not null, $"no grpc-status in the answer (HTTP {(int)response.StatusCode})");
        return (int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), Uri.UnescapeDataString(Header(response, "grpc-message") ?? string.Empty));
    }

    private static string? Header(HttpResponseMessage r, string name) =>
        r.TrailingHeaders.TryGetValues(name, out var t) ? t.First()
        : r.Headers.TryGetValues(name, out var h) ? h.First() : null;

    /// <summary>A length-delimited protobuf field (wire type 2).</summary>
    private static byte[] Field(int number, byte[] value)
    {
        var bytes = new List<byte> { (byte)((number << 3) | 2) };
        for (uint n = (uint)value.Length; ; n >>= 7)
        {
            if (n < 0x80)
            {
                bytes.Add((byte)n);
                break;
            }

            bytes.Add((byte)((n & 0x7f) | 0x80));
        }

        bytes.AddRange(value);
        return [.. bytes];
    }
}
