using System.Buffers.Binary;

namespace MyRuntime.Linux.Spawn;

/// <summary>Frames on the sync socket between the runtime and its cloned child: one type byte, a little-endian
/// int32 length, then the payload.</summary>
public static class SyncFrames
{
    /// <summary>Runtime to child: go on (payload: the container state for hooks, or empty).</summary>
    public const byte Go = (byte)'G';

    /// <summary>Child to runtime: write my uid/gid maps.</summary>
    public const byte Map = (byte)'M';

    /// <summary>Child to runtime: the pid of the process in the new pid namespace.</summary>
    public const byte Pid = (byte)'P';

    /// <summary>Child to runtime: errno and the step that failed; the child exits.</summary>
    public const byte Error = (byte)'E';

    /// <summary>Child to runtime: run the prestart and createRuntime hooks, then send Go.</summary>
    public const byte Hooks = (byte)'H';

    /// <summary>Child to runtime: set up and waiting for start.</summary>
    public const byte Ready = (byte)'R';

    public static void Write(int fd, byte type, ReadOnlySpan<byte> payload)
    {
        byte[] frame = new byte[5 + payload.Length];
        frame[0] = type;
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(1), payload.Length);
        payload.CopyTo(frame.AsSpan(5));
        Files.WriteAll(fd, frame);
    }

    /// <summary>Reads one frame; type 0 with an empty payload means the peer closed the socket.</summary>
    public static (byte Type, byte[] Payload) Read(int fd)
    {
        Span<byte> header = stackalloc byte[5];
        if (!ReadExactly(fd, header, allowEof: true))
        {
            return (0, []);
        }

        int length = BinaryPrimitives.ReadInt32LittleEndian(header[1..]);
        if (length < 0 || length > 64 << 20)
        {
            throw new LinuxException("sync socket: bad frame length", Errno.EIO);
        }

        byte[] payload = new byte[length];
        ReadExactly(fd, payload, allowEof: false);
        return (header[0], payload);
    }

    private static bool ReadExactly(int fd, Span<byte> buffer, bool allowEof)
    {
        int got = 0;
        while (got < buffer.Length)
        {
            int n = Files.Read(fd, buffer[got..]);
            if (n == 0)
            {
                if (got == 0 && allowEof)
                {
                    return false;
                }

                throw new LinuxException("sync socket: peer closed mid-frame", Errno.EIO);
            }

            got += n;
        }

        return true;
    }
}
