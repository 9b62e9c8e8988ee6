using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MyRuntime.IntegrationTests.Infrastructure;
using MyRuntime.IntegrationTests.Infrastructure.Engine;
using MyRuntime.IntegrationTests.Infrastructure.Registry;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>Bridge networks as a user sees them: addresses, names, published ports from the host and from another
/// "machine" (a namespace the test makes), NAT towards an "outside host", isolation, DNS files, and cleanup.</summary>
public sealed class EngineNetworkTests(EngineRegistry registry) : IClassFixture<EngineRegistry>, IDisposable
{
    private const string ServeScript = "mkdir -p /www && echo hello-from-container > /www/index.html && exec httpd -f -p 80 -h /www";

    private readonly EngineHost host = new();

    public void Dispose() => host.Dispose();

    [RegistryFact]
    public void DefaultNetworkContainersReachEachOtherByAddress()
    {
        string a = host.Ok("run", "-d", registry.Busybox, "sleep", "1000").StdoutLines.Single();
        string b = host.Ok("run", "-d", registry.Busybox, "sleep", "1000").StdoutLines.Single();
        string ipA = Address(a), ipB = Address(b);
        Assert.StartsWith(host.BridgePrefix + ".", ipA, StringComparison.Ordinal);
        Assert.NotEqual(ipA, ipB);

        // eth0 holds the address, the default route goes through the bridge's gateway, lo is up.
        Assert.Contains($"inet {ipA}/24", host.Ok("exec", a, "/sbin/ip", "-o", "addr", "show", "eth0").Stdout, StringComparison.Ordinal);
        Assert.Contains($"default via {host.BridgePrefix}.1 dev eth0", host.Ok("exec", a, "/sbin/ip", "route").Stdout, StringComparison.Ordinal);
        Assert.Contains("LOOPBACK,UP", host.Ok("exec", a, "/sbin/ip", "-o", "link", "show", "lo").Stdout, StringComparison.Ordinal);
        host.Ok("exec", a, "ping", "-c", "1", "-W", "5", ipB);
        host.Ok("exec", b, "ping", "-c", "1", "-W", "5", ipA);
        Assert.Equal(2, BridgePorts().Count);

        host.Ok("rm", "-f", a, b);
        host.AssertGone(a);
        host.AssertGone(b);
        Wait.Until(() => BridgePorts().Count == 0, TimeSpan.FromSeconds(10), "the veths went with the netns");
        Assert.DoesNotContain(a[..11], HostCommand.Run("ip", "-br", "link").Stdout, StringComparison.Ordinal);
    }

    [RegistryFact]
    public void UserNetworkContainersResolveEachOtherByName()
    {
        string subnet = host.UserSubnet(0);
        string prefix = subnet[..subnet.LastIndexOf('.')];
        string id = host.Ok("network", "create", "--subnet", subnet, "appnet").StdoutLines.Single();
        Assert.Matches("^[0-9a-f]{64}$", id);
        Assert.Contains("appnet", host.Ok("network", "ls").Stdout, StringComparison.Ordinal);
        string bridge = "mr-" + id[..12];
        Assert.Contains($"{prefix}.1/24", HostCommand.Run("ip", "-o", "addr", "show", bridge).Stdout, StringComparison.Ordinal);

        host.Ok("run", "-d", "--network", "appnet", "--name", "web", registry.Busybox, "sleep", "1000");
        host.Ok("run", "-d", "--network", "appnet", "--name", "client", registry.Busybox, "sleep", "1000");
        host.Ok("exec", "client", "ping", "-c", "1", "-W", "5", "web");

        // web started first: its hosts file learnt of client when client started.
        host.Ok("exec", "web", "ping", "-c", "1", "-W", "5", "client");
        Assert.Contains($"{prefix}.", Address("web"), StringComparison.Ordinal);

        using (var inspect = JsonDocument.Parse(host.Ok("network", "inspect", "appnet").Stdout))
        {
            var net = inspect.RootElement[0];
            Assert.Equal(subnet, net.GetProperty("IPAM").GetProperty("Config")[0].GetProperty("Subnet").GetString());
            Assert.Equal(2, net.GetProperty("Containers").EnumerateObject().Count());
        }

        var busy = host.Run("network", "rm", "appnet");
        Assert.NotEqual(0, busy.ExitCode);
        Assert.Contains("active endpoints", busy.Stderr, StringComparison.Ordinal);

        host.Ok("rm", "-f", "client");
        Assert.DoesNotContain("client", host.Ok("exec", "web", "cat", "/etc/hosts").Stdout, StringComparison.Ordinal);
        host.Ok("rm", "-f", "web");
        host.Ok("network", "rm", "appnet");
        Assert.NotEqual(0, HostCommand.Run("ip", "link", "show", bridge).ExitCode);
        Assert.DoesNotContain("appnet", host.Ok("network", "ls").Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(bridge, Rules(), StringComparison.Ordinal);
    }

    [RegistryFact]
    public void DifferentNetworksCannotReachEachOther()
    {
        host.Ok("network", "create", "--subnet", host.UserSubnet(1), "left");
        host.Ok("network", "create", "--subnet", host.UserSubnet(2), "right");
        string l = host.Ok("run", "-d", "--network", "left", registry.Busybox, "sleep", "1000").StdoutLines.Single();
        string r = host.Ok("run", "-d", "--network", "right", registry.Busybox, "sleep", "1000").StdoutLines.Single();
        string d = host.Ok("run", "-d", registry.Busybox, "sleep", "1000").StdoutLines.Single();
        Assert.NotEqual(0, host.Run("exec", l, "ping", "-c", "1", "-W", "1", Address(r)).ExitCode);
        Assert.NotEqual(0, host.Run("exec", r, "ping", "-c", "1", "-W", "1", Address(l)).ExitCode);
        Assert.NotEqual(0, host.Run("exec", d, "ping", "-c", "1", "-W", "1", Address(l)).ExitCode);

        // Each still reaches its own gateway.
        host.Ok("exec", l, "ping", "-c", "1", "-W", "5", host.UserSubnet(1)[..host.UserSubnet(1).LastIndexOf('.')] + ".1");
        host.Ok("rm", "-f", l, r, d);
        host.Ok("network", "rm", "left", "right");
    }

    [RegistryFact]
    public void PublishedPortServesLocalhostAndOtherHosts()
    {
        using var client = new TestNetns($"mrtc{Environment.ProcessId % 0x10000:x4}{host.Number:x3}", $"10.237.{host.Number % 256}");
        int port = FreePort();
        string id = host.Ok("run", "-d", "-p", $"{port}:80", registry.Busybox, "sh", "-c", ServeScript).StdoutLines.Single();
        Assert.Equal($"80/tcp -> 0.0.0.0:{port}", host.Ok("port", id).Stdout.Trim());
        Assert.Contains($"0.0.0.0:{port}->80/tcp", host.Ok("ps").Stdout, StringComparison.Ordinal);

        // From the host's own loopback, as `curl localhost:PORT` users expect.
        string body = "";
        Wait.Until(() => (body = Fetch($"http://127.0.0.1:{port}/")) == "hello-from-container\n", TimeSpan.FromSeconds(15), "the published port answers on localhost");

        // From another machine, at the host's address.
        var remote = client.Exec("sh", "-c", $"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 5 {client.HostAddress} {port}");
        Assert.True(remote.ExitCode == 0, remote.ToString());
        Assert.EndsWith("\r\n\r\nhello-from-container\n", remote.Stdout, StringComparison.Ordinal);

        // The port is taken while the container runs.
        var second = host.Run("run", "-d", "-p", $"{port}:80", registry.Busybox, "sleep", "1000");
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains($"{port}/tcp", second.Stderr, StringComparison.Ordinal);
        Assert.Single(second.Stderr.Trim().Split('\n'));

        string ip = Address(id);
        host.Ok("rm", "-f", id);
        host.AssertGone(id);
        Assert.DoesNotContain(ip + ":", Rules(), StringComparison.Ordinal);
        Assert.NotEqual("hello-from-container\n", Fetch($"http://127.0.0.1:{port}/"));

        // Free again: a new container publishes it.
        string again = host.Ok("run", "-d", "-p", $"{port}:80", registry.Busybox, "sh", "-c", ServeScript).StdoutLines.Single();
        Wait.Until(() => Fetch($"http://127.0.0.1:{port}/") == "hello-from-container\n", TimeSpan.FromSeconds(15), "the port is published again");
        host.Ok("rm", "-f", again);
    }

    [RegistryFact]
    public void HostPortInUseIsRefusedAndNothingIsLeft()
    {
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var r = host.Run("run", "-d", "--name", "clash", "-p", $"{port}:80", registry.Busybox, "sleep", "1000");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains($"{port}/tcp is already in use", r.Stderr, StringComparison.Ordinal);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Empty(BridgePorts());
        using (var inspect = JsonDocument.Parse(host.Ok("inspect", "clash").Stdout))
        {
            var c = inspect.RootElement[0];
            Assert.Equal("created", c.GetProperty("State").GetProperty("Status").GetString());
            Assert.DoesNotContain(c.GetProperty("Id").GetString()!, Rules(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain($"--dport {port} ", Rules(), StringComparison.Ordinal);
        using (var network = JsonDocument.Parse(host.Ok("network", "inspect", "bridge").Stdout))
        {
            Assert.Empty(network.RootElement[0].GetProperty("Containers").EnumerateObject());
        }

        host.Ok("rm", "-f", "clash");
    }

    [RegistryFact]
    public void LeaseOfAContainerThatDiedUnseenDoesNotHoldItsPort()
    {
        int port = FreePort();
        string dead = host.Ok("run", "-d", "-p", $"{port}:80", registry.Busybox, "sleep", "1000").StdoutLines.Single();
        int pid;
        using (var doc = JsonDocument.Parse(host.Ok("inspect", dead).Stdout))
        {
            pid = doc.RootElement[0].GetProperty("State").GetProperty("Pid").GetInt32();
        }

        // Monitor and container killed: nothing released them (no command has looked at the container since).
        int monitor = int.Parse(HostProcess.StatusField(pid, "PPid")![0], CultureInfo.InvariantCulture);
        HostProcess.Kill(monitor);
        HostProcess.Kill(pid);
        Wait.Until(() => !HostProcess.IsAlive(pid) && !HostProcess.IsAlive(monitor), TimeSpan.FromSeconds(10), "both are gone");

        string next = host.Ok("run", "-d", "-p", $"{port}:80", registry.Busybox, "sh", "-c", ServeScript).StdoutLines.Single();
        Wait.Until(() => Fetch($"http://127.0.0.1:{port}/") == "hello-from-container\n", TimeSpan.FromSeconds(15), "the new container has the port");
        host.Ok("rm", "-f", dead, next);
        Assert.DoesNotContain($"--dport {port} ", Rules(), StringComparison.Ordinal);
    }

    [RegistryFact]
    public void PortsWithoutHostPortGetFreeOnes()
    {
        string id = host.Ok("run", "-d", "-p", "80", "-p", "127.0.0.1::81/udp", registry.Busybox, "sleep", "1000").StdoutLines.Single();
        var lines = host.Ok("port", id).StdoutLines;
        Assert.Equal(2, lines.Count);
        Assert.Matches(@"^80/tcp -> 0\.0\.0\.0:\d+$", lines[0]);
        Assert.Matches(@"^81/udp -> 127\.0\.0\.1:\d+$", lines[1]);
        Assert.DoesNotMatch(@":0$", lines[0]);
        Assert.Matches(@"^0\.0\.0\.0:\d+$", host.Ok("port", id, "80").Stdout.Trim());
        host.Ok("rm", "-f", id);
    }

    [RegistryFact]
    public void PublishAllPublishesTheImagesExposedPorts()
    {
        string tar = Path.Combine(host.Dir, "rootfs.tar");
        var made = HostCommand.Run("tar", "-C", TestSettings.ImageRootfs, "-cf", tar, ".");
        Assert.True(made.ExitCode == 0, made.ToString());
        host.Ok("import", "--change", "EXPOSE 80", "--change", "CMD " + ServeScript, tar, "exposed:latest");
        string id = host.Ok("run", "-d", "-P", "exposed:latest").StdoutLines.Single();
        var line = Assert.Single(host.Ok("port", id).StdoutLines);
        var m = System.Text.RegularExpressions.Regex.Match(line, @"^80/tcp -> 0\.0\.0\.0:(\d+)$");
        Assert.True(m.Success, line);
        Wait.Until(() => Fetch($"http://127.0.0.1:{m.Groups[1].Value}/") == "hello-from-container\n", TimeSpan.FromSeconds(15), "the -P port answers");
        host.Ok("rm", "-f", id);
        host.Ok("rmi", "exposed:latest");
    }

    [RegistryFact]
    public void ContainerReachesOutsideHostMasqueraded()
    {
        using var outside = new TestNetns($"mrto{Environment.ProcessId % 0x10000:x4}{host.Number:x3}", $"10.236.{host.Number % 256}");
        string www = Path.Combine(host.Dir, "outside-www");
        Directory.CreateDirectory(Path.Combine(www, "cgi-bin"));
        string script = Path.Combine(www, "cgi-bin", "peer");
        File.WriteAllText(script, "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"$REMOTE_ADDR\"\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        outside.StartHttpd(www, 8000);

        var r = host.Run("run", "--rm", registry.Busybox, "sh", "-c", $"printf 'GET /cgi-bin/peer HTTP/1.0\\r\\n\\r\\n' | nc -w 5 {outside.Address} 8000");
        Assert.True(r.ExitCode == 0, r.ToString());
        // busybox httpd prints the peer as an IPv4-mapped IPv6 address: [::ffff:10.236.N.1].
        string peer = r.Stdout.TrimEnd().Split('\n')[^1].Trim().Replace("[::ffff:", "", StringComparison.Ordinal).TrimEnd(']');
        Assert.Equal(outside.HostAddress, peer);
    }

    [RegistryFact]
    public void NoneHasOnlyLoopbackAndHostSharesTheHostStack()
    {
        var none = host.Ok("run", "--rm", "--network", "none", registry.Busybox, "/sbin/ip", "-o", "link");
        Assert.Equal(["lo"], none.StdoutLines.Select(l => l.Split(':')[1].Trim()).ToArray());
        Assert.Contains("UP", none.Stdout, StringComparison.Ordinal);

        // The host's own links (those other tests make and remove meanwhile left out).
        static string[] Stable(IEnumerable<string> lines) => [.. lines.Select(l => l.Split(':')[1].Trim().Split('@')[0])
            .Where(n => !n.StartsWith("veth", StringComparison.Ordinal) && !n.StartsWith("mr", StringComparison.Ordinal)).Order()];
        var hostLinks = Stable(HostCommand.Run("ip", "-o", "link").StdoutLines);
        var inside = Stable(host.Ok("run", "--rm", "--network", "host", registry.Busybox, "/sbin/ip", "-o", "link").StdoutLines);
        Assert.Contains("eth0", hostLinks);
        Assert.Equal(hostLinks, inside);
    }

    [RegistryFact]
    public void ContainerModeSharesAnotherContainersStack()
    {
        string a = host.Ok("run", "-d", "--name", "owner", registry.Busybox, "sleep", "1000").StdoutLines.Single();
        string ip = Address(a);
        var r = host.Ok("run", "--rm", "--network", "container:owner", registry.Busybox, "/sbin/ip", "-o", "addr", "show", "eth0");
        Assert.Contains($"inet {ip}/", r.Stdout, StringComparison.Ordinal);
        host.Ok("rm", "-f", a);
        var gone = host.Run("run", "--rm", "--network", "container:owner", registry.Busybox, "true");
        Assert.NotEqual(0, gone.ExitCode);
    }

    [RegistryFact]
    public void DnsFlagsAndExtraHosts()
    {
        var r = host.Ok("run", "--rm", "--name", "dnsbox", "--dns", "10.1.2.3", "--dns-search", "corp.test", "--dns-option", "ndots:2",
            "--add-host", "db.corp.test:10.9.8.7", registry.Busybox, "sh", "-c", "cat /etc/resolv.conf; echo ---; cat /etc/hosts");
        string[] parts = r.Stdout.Split("---\n");
        Assert.Contains("nameserver 10.1.2.3", parts[0], StringComparison.Ordinal);
        Assert.Contains("search corp.test", parts[0], StringComparison.Ordinal);
        Assert.Contains("options ndots:2", parts[0], StringComparison.Ordinal);
        Assert.Contains("10.9.8.7\tdb.corp.test", parts[1], StringComparison.Ordinal);
        Assert.Matches($@"{host.BridgePrefix.Replace(".", "\\.", StringComparison.Ordinal)}\.\d+\t[0-9a-f]{{12}}\tdnsbox", parts[1]);

        // Loopback nameservers of the host are not given to a container on a bridge.
        var plain = host.Ok("run", "--rm", registry.Busybox, "cat", "/etc/resolv.conf");
        Assert.DoesNotContain("nameserver 127.", plain.Stdout, StringComparison.Ordinal);
    }

    [RegistryFact]
    public void BadNetworkInputFailsWithOneLineAndLeavesNothing()
    {
        AssertFails(host.Run("run", "--rm", "--network", "nosuch", registry.Busybox, "true"), "network nosuch not found");
        AssertFails(host.Run("run", "--rm", "-p", "70000:80", registry.Busybox, "true"), "70000");
        AssertFails(host.Run("run", "--rm", "--network", "none", "-p", "8080:80", registry.Busybox, "true"), "port publishing");
        AssertFails(host.Run("run", "--rm", "--add-host", "nohost", registry.Busybox, "true"), "--add-host");
        AssertFails(host.Run("network", "create", "--subnet", "10.0.0.0/33", "bad"), "invalid subnet");
        AssertFails(host.Run("network", "create", "--subnet", "192.0.2.0/24", "clashing"), "overlaps");
        AssertFails(host.Run("network", "create", "bad name"), "invalid network name");
        AssertFails(host.Run("network", "rm", "nosuch"), "not found");
        Assert.Empty(host.ContainerDirs());
        Assert.DoesNotContain("bad", host.Ok("network", "ls").Stdout, StringComparison.Ordinal);

        // A /30 has room for one container: the second start fails with a clear line and leaves no endpoint.
        string subnet = host.UserSubnet(3).Replace(".0/24", ".0/30", StringComparison.Ordinal);
        host.Ok("network", "create", "--subnet", subnet, "tiny");
        string one = host.Ok("run", "-d", "--network", "tiny", registry.Busybox, "sleep", "1000").StdoutLines.Single();
        var two = host.Run("run", "-d", "--name", "second", "--network", "tiny", registry.Busybox, "sleep", "1000");
        AssertFails(two, "no free address");
        using (var inspect = JsonDocument.Parse(host.Ok("network", "inspect", "tiny").Stdout))
        {
            Assert.Single(inspect.RootElement[0].GetProperty("Containers").EnumerateObject());
        }

        host.Run("rm", "-f", "second");
        host.Ok("rm", "-f", one);
        host.Ok("network", "rm", "tiny");
    }

    private static void AssertFails(ProcResult r, string message)
    {
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains(message, r.Stderr, StringComparison.Ordinal);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    private string Address(string container)
    {
        using var doc = JsonDocument.Parse(host.Ok("inspect", container).Stdout);
        return doc.RootElement[0].GetProperty("NetworkSettings").GetProperty("IPAddress").GetString()!;
    }

    /// <summary>The links enslaved to this host's default bridge.</summary>
    private List<string> BridgePorts() =>
        [.. HostCommand.Run("ip", "-o", "link", "show", "master", host.Bridge).StdoutLines.Where(l => l.Length > 0)];

    private static string Rules() =>
        HostCommand.Run("iptables", "-w", "-t", "nat", "-S").Stdout + HostCommand.Run("iptables", "-w", "-S").Stdout;

    private static string Fetch(string url)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            return http.GetStringAsync(new Uri(url)).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return "";
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
