using System.Text;
using MyRuntime.Linux;
using MyRuntime.Linux.Spawn;

namespace MyRuntime.Tests;

public sealed class SyncFramesTests : IDisposable
{
    private readonly int readFd;
    private int writeFd;

    public SyncFramesTests()
    {
        (readFd, writeFd) = Files.Pipe();
    }

    public void Dispose()
    {
        Files.Close(readFd);
        CloseWriter();
    }

    private void CloseWriter()
    {
        Files.Close(writeFd);
        writeFd = -1;
    }

    [Fact]
    public void WriteThenRead_RoundTripsTypeAndPayload()
    {
        SyncFrames.Write(writeFd, (byte)'J', Encoding.UTF8.GetBytes("{\"a\":1}"));

        var (type, payload) = SyncFrames.Read(readFd);

        Assert.Equal((byte)'J', type);
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(payload));
    }

    [Fact]
    public void WriteThenRead_EmptyPayload()
    {
        SyncFrames.Write(writeFd, (byte)'G', []);

        var (type, payload) = SyncFrames.Read(readFd);

        Assert.Equal((byte)'G', type);
        Assert.Empty(payload);
    }

    [Fact]
    public void Read_FramesComeBackInOrder()
    {
        SyncFrames.Write(writeFd, (byte)'A', [1]);
        SyncFrames.Write(writeFd, (byte)'B', [2, 3]);

        Assert.Equal((byte)'A', SyncFrames.Read(readFd).Type);
        Assert.Equal([2, 3], SyncFrames.Read(readFd).Payload);
    }

    [Fact]
    public void Read_AfterThePeerClosedIsTypeZero()
    {
        CloseWriter();

        var (type, payload) = SyncFrames.Read(readFd);

        Assert.Equal(0, type);
        Assert.Empty(payload);
    }

    [Fact]
    public void Read_PeerClosedMidFrameThrows()
    {
        byte[] header = [(byte)'J', 10, 0, 0, 0, (byte)'x'];
        Files.WriteAll(writeFd, header);
        CloseWriter();

        var e = Assert.Throws<LinuxException>(() => SyncFrames.Read(readFd));

        Assert.Equal(Errno.EIO, e.Errno);
        Assert.StartsWith("sync socket: peer closed mid-frame", e.Message);
    }

    [Fact]
    public void Read_NegativeLengthIsABadFrame()
    {
        Files.WriteAll(writeFd, [(byte)'J', 0xff, 0xff, 0xff, 0xff]);

        var e = Assert.Throws<LinuxException>(() => SyncFrames.Read(readFd));

        Assert.StartsWith("sync socket: bad frame length", e.Message);
    }
}
