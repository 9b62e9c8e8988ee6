namespace MyRuntime.Engine.Containers;

/// <summary>Random bytes from the kernel's /dev/urandom: what Docker's ids come from (crypto/rand), without
/// System.Security.Cryptography, whose first use loads OpenSSL (some 15 ms on every run and in every monitor).</summary>
public static class RandomBytes
{
    public static byte[] Get(int count)
    {
        byte[] bytes = new byte[count];
        using var urandom = new FileStream("/dev/urandom", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        urandom.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>A uniformly distributed integer in [0, max).</summary>
    public static int Below(int max)
    {
        uint limit = uint.MaxValue - (uint.MaxValue % (uint)max);
        while (true)
        {
            uint v = BitConverter.ToUInt32(Get(4));
            if (v < limit)
            {
                return (int)(v % (uint)max);
            }
        }
    }
}
