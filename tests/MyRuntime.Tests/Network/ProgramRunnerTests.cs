using MyRuntime.Linux.Spawn;

namespace MyRuntime.Tests.Network;

public sealed class ProgramRunnerTests
{
    public ProgramRunnerTests() => SpawnWarmUp.Ensure();

    [Fact]
    public void Run_FeedsStdinAndCapturesBothOutputsAndTheExitCode()
    {
        var (code, stdout, stderr) = ProgramRunner.Run("/bin/sh", ["-c", "cat; echo oops >&2; exit 3"], "hello\nworld\n");

        Assert.Equal(3, code);
        Assert.Equal("hello\nworld\n", stdout);
        Assert.Equal("oops\n", stderr);
    }

    [Fact]
    public void Run_LargeOutputsOnBothStreams_DoNotBlock()
    {
        string input = new('x', 300_000);

        var (code, stdout, stderr) = ProgramRunner.Run("/bin/sh", ["-c", "cat; head -c 200000 /dev/zero | tr '\\0' e >&2"], input);

        Assert.Equal(0, code);
        Assert.Equal(input, stdout);
        Assert.Equal(200_000, stderr.Length);
    }

    [Fact]
    public void Run_WithoutStdin_ReadsEndOfFile()
    {
        var (code, stdout, _) = ProgramRunner.Run("/bin/sh", ["-c", "cat; echo done"]);

        Assert.Equal(0, code);
        Assert.Equal("done\n", stdout);
    }

    [Fact]
    public void Run_MissingProgram_Exits127()
    {
        var (code, stdout, _) = ProgramRunner.Run("/nonexistent/fwt-program", []);

        Assert.Equal(127, code);
        Assert.Equal(string.Empty, stdout);
    }
}
