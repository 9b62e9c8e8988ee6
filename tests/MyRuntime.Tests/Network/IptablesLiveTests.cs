using System.Diagnostics;
using System.Net;
using MyRuntime.Network;
using MyRuntime.Network.Firewall;
using MyRuntime.Network.Ports;

namespace MyRuntime.Tests.Network;

/// <summary>The real kernel and iptables (root): a bridge fwt0 with a "container" netns on it, an "outside host"
/// netns and a "client" netns joined to the host by their own veths.</summary>
public sealed class IptablesLiveTests : IDisposable
{
    private const string Bridge = "fwt0";
    private const string Subnet = "10.251.1.0/24";
    private const string ContainerId = "fwtestctr0123";
    private static readonly IPAddress ContainerIp = IPAddress.Parse("10.251.1.2");
    private readonly TempDir tmp = new();
    private readonly List<Process> servers = [];

    public IptablesLiveTests() => SpawnWarmUp.Ensure();

    [Fact]
    public void Masquerades_PublishesPorts_AndLeavesNothingBehind()
    {
        var before = ForeignRules();
        PublishedPort? published = null;
        try
        {
            BuildTopology();
            Iptables.SetUpNetwork(Bridge, Subnet);
            var afterFirst = Iptables.Rules();
            Iptables.SetUpNetwork(Bridge, Subnet);
            Assert.Equal(afterFirst, Iptables.Rules());
            AssertAllPresent(FirewallRules.Base().Concat(FirewallRules.Network(Bridge, Subnet)));
            Assert.Equal("1", File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim());
            Assert.Equal("1", File.ReadAllText($"/proc/sys/net/ipv4/conf/{Bridge}/route_localnet").Trim());

            // NAT: the outside host sees the host's address, not the container's.
            Serve("fwtest-out", "10.251.9.2:80", "out", cgi: true);
            Assert.Equal("10.251.9.1", Wget("fwtest-ctr", "http://10.251.9.2/cgi-bin/addr"));

            // Published port, from the host's loopback and from a client host.
            Serve("fwtest-ctr", "80", "www", cgi: false);
            published = HostPorts.PickFree(new PublishedPort("0.0.0.0", 0, 80, "tcp"));
            HostPorts.EnsureFree(published);
            Iptables.AddPorts(ContainerId, Bridge, ContainerIp, [published]);
            Iptables.AddPorts(ContainerId, Bridge, ContainerIp, [published]);
            AssertAllPresent(FirewallRules.PortRules(ContainerId, Bridge, ContainerIp, [published]));
            Assert.Equal(2, Iptables.Rules().Count(r => r.Contains(ContainerId, StringComparison.Ordinal)));
            Assert.Equal("hello fwt", Wget(null, $"http://127.0.0.1:{published.HostPort}/f"));
            Assert.Equal("hello fwt", Wget("fwtest-cli", $"http://10.251.8.1:{published.HostPort}/f"));

            using (var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
            {
                taken.Start();
                int port = ((IPEndPoint)taken.LocalEndpoint).Port;
                Assert.Equal($"host port {port}/tcp is already in use",
                    Assert.Throws<NetworkException>(() => HostPorts.EnsureFree(new PublishedPort("0.0.0.0", port, 80, "tcp"))).Message);
            }

            Iptables.RemovePorts(ContainerId, Bridge, ContainerIp, [published]);
            Iptables.RemovePorts(ContainerId, Bridge, ContainerIp, [published]);
            Assert.DoesNotContain(Iptables.Rules(), r => r.Contains(ContainerId, StringComparison.Ordinal));
            Assert.Null(Wget(null, $"http://127.0.0.1:{published.HostPort}/f"));

            Iptables.TearDownNetwork(Bridge, Subnet);
            Iptables.TearDownNetwork(Bridge, Subnet);
            Assert.DoesNotContain(Iptables.Rules(), r => r.Contains(Bridge, StringComparison.Ordinal));
            Assert.Equal(before, ForeignRules());
        }
        finally
        {
            foreach (var server in servers)
            {
                server.Kill();
                server.WaitForExit();
                server.Dispose();
            }

            if (published is not null)
            {
                Iptables.RemovePorts(ContainerId, Bridge, ContainerIp, [published]);
            }

            Iptables.TearDownNetwork(Bridge, Subnet);
            foreach (string ns in new[] { "fwtest-ctr", "fwtest-out", "fwtest-cli" })
            {
                Ip(false, "netns", "del", ns);
            }

            foreach (string link in new[] { Bridge, "fwv1h", "fwv2h" })
            {
                Ip(false, "link", "del", link);
            }
        }
    }

    [Fact]
    public void SetUpNetwork_MissingBridge_IsAOneLineError() =>
        Assert.Equal("bridge fwt9 does not exist", Assert.Throws<NetworkException>(() => Iptables.SetUpNetwork("fwt9", "10.251.2.0/24")).Message);

    public void Dispose() => tmp.Dispose();

    private static void BuildTopology()
    {
        Ip(true, "link", "add", Bridge, "type", "bridge");
        Ip(true, "addr", "add", "10.251.1.1/24", "dev", Bridge);
        Ip(true, "link", "set", Bridge, "up");
        Join("fwtest-ctr", "fwv0h", "fwv0c", null, "10.251.1.2/24");
        Ip(true, "link", "set", "fwv0h", "master", Bridge);
        Ip(true, "-n", "fwtest-ctr", "route", "add", "default", "via", "10.251.1.1");
        Join("fwtest-out", "fwv1h", "fwv1o", "10.251.9.1/24", "10.251.9.2/24");
        Join("fwtest-cli", "fwv2h", "fwv2c", "10.251.8.1/24", "10.251.8.2/24");
    }

    private static void Join(string ns, string hostEnd, string nsEnd, string? hostAddress, string nsAddress)
    {
        Ip(true, "netns", "add", ns);
        Ip(true, "link", "add", hostEnd, "type", "veth", "peer", "name", nsEnd);
        Ip(true, "link", "set", nsEnd, "netns", ns);
        if (hostAddress is not null)
        {
            Ip(true, "addr", "add", hostAddress, "dev", hostEnd);
        }

        Ip(true, "link", "set", hostEnd, "up");
        Ip(true, "-n", ns, "addr", "add", nsAddress, "dev", nsEnd);
        Ip(true, "-n", ns, "link", "set", nsEnd, "up");
        Ip(true, "-n", ns, "link", "set", "lo", "up");
    }

    private void Serve(string ns, string listen, string dir, bool cgi)
    {
        string root = tmp[dir];
        Directory.CreateDirectory(Path.Combine(root, "cgi-bin"));
        File.WriteAllText(Path.Combine(root, "f"), "hello fwt");
        if (cgi)
        {
            string script = Path.Combine(root, "cgi-bin", "addr");
            File.WriteAllText(script, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n%s' \"$REMOTE_ADDR\"\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var server = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", ns, "busybox", "httpd", "-f", "-p", listen, "-h", root]))!;
        servers.Add(server);
        Thread.Sleep(300);
        Assert.False(server.HasExited, $"httpd in {ns} exited");
    }

    /// <summary>The body, or null when the request failed.</summary>
    private static string? Wget(string? ns, string url)
    {
        // timeout(1), not wget's -T: Debian's static busybox 1.35 wget crashes with -T.
        string[] args = ["timeout", "5", "busybox", "wget", "-q", "-O", "-", url];
        var info = ns is null ? new ProcessStartInfo(args[0], args[1..]) : new ProcessStartInfo("ip", ["netns", "exec", ns, .. args]);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var p = Process.Start(info)!;
        string output = p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output : null;
    }

    private static void Ip(bool check, params string[] args)
    {
        var info = new ProcessStartInfo("ip", args) { RedirectStandardError = true };
        using var p = Process.Start(info)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (check && p.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)}: {err.Trim()}");
        }
    }

    private static void AssertAllPresent(IEnumerable<FirewallRule> rules)
    {
        var present = Iptables.Rules().Select(FirewallRules.Normalize).ToHashSet();
        foreach (var rule in rules)
        {
            Assert.Contains(FirewallRules.Normalize(rule.Line), present);
        }
    }

    /// <summary>Every nat and filter rule that is not ours.</summary>
    private static List<string> ForeignRules()
    {
        var info = new ProcessStartInfo("iptables-save") { RedirectStandardOutput = true };
        using var p = Process.Start(info)!;
        string save = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var state = IptablesState.Parse(save);
        return [.. new[] { "nat", "filter" }.SelectMany(t => state.Lines(t).Select(l => $"{t} {l}")).Where(l => !FirewallRules.IsOurs(l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..]))];
    }
}
