using System.Buffers.Binary;

namespace MyRuntime.Linux.Spawn;

/// <summary>Frames on the sync socket between the runtime and its child: one type byte, a little-endian
/// int32 length, then the payload. The raw child and the init stage both speak it.</summary>
public static class SyncFrames
{
    public const byte Json = (byte)'J';

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
