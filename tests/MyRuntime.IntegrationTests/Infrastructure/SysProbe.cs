namespace MyRuntime.IntegrationTests.Infrastructure;

/// <summary>
/// Probes/sysprobe.c built with clang (static, no libc, so any image runs it): it makes one system call that
/// busybox has no applet for (keyctl, ptrace) and prints its errno.
/// </summary>
public static class SysProbe
{
    /// <summary>Builds the program as dir/sysprobe and returns that path.</summary>
    public static string BuildInto(string dir)
    {
        string source = Path.Combine(AppContext.BaseDirectory, "Probes", "sysprobe.c");
        string output = Path.Combine(dir, "sysprobe");
        var r = HostCommand.Run("clang", "-static", "-nostdlib", "-O2", "-fno-stack-protector", "-fno-builtin", "-o", output, source);
        Assert.True(r.ExitCode == 0, "building the sysprobe checker with clang (apt install clang):\n" + r);
        return output;
    }
}
