using System.Diagnostics;
using System.Text;
using MyRuntime.IntegrationTests.Infrastructure;
using MyRuntime.IntegrationTests.Infrastructure.Engine;
using MyRuntime.IntegrationTests.Infrastructure.Registry;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>run -it driven through a pty the test owns, as a user's terminal.</summary>
public sealed class EngineTerminalTests(EngineRegistry registry) : IClassFixture<EngineRegistry>, IDisposable
{
    private readonly EngineHost host = new();

    public void Dispose() => host.Dispose();

    [RegistryFact]
    public unsafe void InteractiveShellOnATerminal()
    {
        host.Ok("pull", registry.Busybox);
        var (master, slave) = TestInterop.OpenPty();
        Process? p = null;
        try
        {
            // The CLI's stdin, stdout and stderr are the pty's slave, as in a user's terminal.
            var args = host.GlobalArgs.Concat(["run", "-it", "--rm", registry.Busybox, "sh"]).Select(a => "'" + a + "'");
            var psi = new ProcessStartInfo("/bin/sh", ["-c", $"exec '{TestSettings.RuntimeBinary}' {string.Join(' ', args)} <'{slave}' >'{slave}' 2>&1"])
            {
                UseShellExecute = false,
            };
            p = Process.Start(psi)!;
            var output = new StringBuilder();
            Send(master, "echo $((6*7))\r");
            Assert.True(ReadUntil(master, output, "42\r\n", TimeSpan.FromSeconds(20 * TestSettings.TimeoutScale)), $"no 42 in: {output}");
            // Ctrl-D once the shell prompts again: sent while it still runs the command (the terminal then in
            // canonical mode), the end of file can be lost when its line editor switches the terminal to raw mode.
            Assert.True(ReadUntil(master, output, "42\r\n/ # ", TimeSpan.FromSeconds(20 * TestSettings.TimeoutScale)), $"no prompt after 42 in: {output}");
            Send(master, "\x04"); // Ctrl-D: end of input for the shell
            Assert.True(p.WaitForExit(20_000 * TestSettings.TimeoutScale), $"run -it did not exit after Ctrl-D: {output}");
            Assert.Equal(0, p.ExitCode);
            Assert.Empty(host.ContainerDirs());
        }
        finally
        {
            if (p is { HasExited: false })
            {
                p.Kill(entireProcessTree: true);
            }

            p?.Dispose();
            TestInterop.Close(master);
        }
    }

    private static unsafe void Send(int fd, string text)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        fixed (byte* b = bytes)
        {
            Assert.Equal(bytes.Length, (int)TestInterop.Write(fd, b, (nuint)bytes.Length));
        }
    }

    private static unsafe bool ReadUntil(int fd, StringBuilder output, string wanted, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        byte* buffer = stackalloc byte[4096];
        if (output.ToString().Contains(wanted, StringComparison.Ordinal))
        {
            return true;
        }

        while (DateTime.UtcNow < deadline)
        {
            if ((TestInterop.PollIn(fd, 200) & TestInterop.POLLIN) == 0)
            {
                continue;
            }

            nint n = TestInterop.Read(fd, buffer, 4096);
            if (n <= 0)
            {
                return false;
            }

            output.Append(Encoding.UTF8.GetString(buffer, (int)n));
            if (output.ToString().Contains(wanted, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
