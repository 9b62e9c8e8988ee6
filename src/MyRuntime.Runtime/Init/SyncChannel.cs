using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MyRuntime.Linux;
using MyRuntime.Linux.Spawn;

namespace MyRuntime.Runtime.Init;

/// <summary>JSON messages in frames over the sync socket between the runtime and the init stage.</summary>
public static class SyncChannel
{
    public static void Send<T>(int fd, T value, JsonTypeInfo<T> type) =>
        SyncFrames.Write(fd, SyncFrames.Json, JsonSerializer.SerializeToUtf8Bytes(value, type));

    public static void Send(int fd, InitMessage message) => Send(fd, message, RuntimeJson.Default.InitMessage);

    /// <summary>The next JSON message; null when the peer closed the socket. Raw-child errors become exceptions.</summary>
    public static T? Receive<T>(int fd, JsonTypeInfo<T> type)
        where T : class
    {
        var (kind, payload) = SyncFrames.Read(fd);
        if (kind == 0)
        {
            return null;
        }

        Spawner.ThrowIfChildError(kind, payload);
        if (kind != SyncFrames.Json)
        {
            throw new LinuxException($"sync socket: unexpected frame '{(char)kind}'", Errno.EIO);
        }

        return JsonSerializer.Deserialize(payload, type);
    }

    public static InitMessage? Receive(int fd) => Receive(fd, RuntimeJson.Default.InitMessage);
}
