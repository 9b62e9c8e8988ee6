using System.Diagnostics;

namespace MyRuntime.Tests.Netlink;

/// <summary>A named network namespace made with `ip netns add nltest-…` and deleted on dispose, and a runner for
/// `ip` (tests only: the source speaks netlink itself).</summary>
public sealed class TestNetns : IDisposable
{
    public TestNetns(string suffix)
    {
        Name = $"nltest-{Guid.NewGuid().ToString("N")[..8]}-{suffix}";
        Run("ip", "netns", "add", Name);
    }

    public string Name { get; }

    /// <summary>The bind-mounted namespace file ip netns made.</summary>
    public string Path => $"/run/netns/{Name}";

    public void Dispose() => Run("ip", "netns", "del", Name);

    /// <summary>Runs a command and returns its stdout; a non-zero exit throws with its stderr.</summary>
    public static string Run(string file, params string[] args)
    {
        (int code, string stdout, string stderr) = TryRun(file, args);
        return code == 0 ? stdout : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {code}: {stderr.Trim()}");
    }

    public static (int Code, string Stdout, string Stderr) TryRun(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }
}
