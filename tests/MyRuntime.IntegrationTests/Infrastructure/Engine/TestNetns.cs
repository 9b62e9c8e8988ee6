namespace MyRuntime.IntegrationTests.Infrastructure.Engine;

/// <summary>A network namespace the test makes to stand for another machine ("outside host", "client host"):
/// joined to the host by a veth pair of its own, HOST_SIDE.1/24 on the host and .2 inside, with a default route
/// via the host. Dispose deletes it (its veth goes with it).</summary>
public sealed class TestNetns : IDisposable
{
    public TestNetns(string name, string prefix)
    {
        Name = name;
        HostAddress = prefix + ".1";
        Address = prefix + ".2";
        HostVeth = name.Length > 12 ? name[..12] + "h" : name + "h";
        HostCommand.Run("ip", "netns", "del", name);
        Must("ip", "netns", "add", name);
        try
        {
            Must("ip", "link", "add", HostVeth, "type", "veth", "peer", "name", "eth0", "netns", name);
            Must("ip", "addr", "add", HostAddress + "/24", "dev", HostVeth);
            Must("ip", "link", "set", HostVeth, "up");
            Must("ip", "-n", name, "addr", "add", Address + "/24", "dev", "eth0");
            Must("ip", "-n", name, "link", "set", "eth0", "up");
            Must("ip", "-n", name, "link", "set", "lo", "up");
            Must("ip", "-n", name, "route", "add", "default", "via", HostAddress);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    /// <summary>The host's address on the link to this namespace.</summary>
    public string HostAddress { get; }

    /// <summary>This namespace's own address.</summary>
    public string Address { get; }

    public string HostVeth { get; }

    /// <summary>Runs a command inside the namespace (ip netns exec).</summary>
    public ProcResult Exec(params string[] args) => HostCommand.Run("ip", ["netns", "exec", Name, .. args]);

    /// <summary>Starts busybox httpd in the foreground inside the namespace, serving <paramref name="dir"/> (CGI
    /// scripts under cgi-bin); killed by Dispose.</summary>
    public void StartHttpd(string dir, int port)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardInput = true };
        foreach (string a in new[] { "netns", "exec", Name, "busybox", "httpd", "-f", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-h", dir })
        {
            psi.ArgumentList.Add(a);
        }

        servers.Add(System.Diagnostics.Process.Start(psi)!);
        Wait.Until(() => Exec("busybox", "netstat", "-ltn").Stdout.Contains($":{port} ", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "httpd listens");
    }

    private readonly List<System.Diagnostics.Process> servers = [];

    public void Dispose()
    {
        foreach (var server in servers)
        {
            try
            {
                server.Kill();
                server.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }

            server.Dispose();
        }

        HostCommand.Run("ip", "netns", "del", Name);
        HostCommand.Run("ip", "link", "del", HostVeth);
    }

    private static void Must(string file, params string[] args)
    {
        var r = HostCommand.Run(file, args);
        Assert.True(r.ExitCode == 0, r.ToString());
    }
}
