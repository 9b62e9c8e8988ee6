using MyRuntime.Engine;
using MyRuntime.Engine.Images;
using MyRuntime.Engine.Monitor;

namespace MyRuntime.Tests.Engine;

public class EngineLifecycleTests
{
    [Theory]
    [InlineData("exec: \"nope\": executable file not found in $PATH", 127)]
    [InlineData("exec: \"/no/such\": no such file or directory", 127)]
    [InlineData("exec /etc/passwd: permission denied", 126)]
    [InlineData("cgroup: cannot write memory.max", 125)]
    public void StartFailureCode_IsDockers(string message, int code) =>
        Assert.Equal(code, ContainerMonitor.StartFailureCode(message));

    [Fact]
    public void PullPolicy_ParsesDockersValuesAndRefusesOthers()
    {
        Assert.Equal(PullPolicy.Missing, ImageResolver.ParsePolicy("missing"));
        Assert.Equal(PullPolicy.Always, ImageResolver.ParsePolicy("always"));
        Assert.Equal(PullPolicy.Never, ImageResolver.ParsePolicy("never"));
        var e = Assert.Throws<EngineException>(() => ImageResolver.ParsePolicy("sometimes"));
        Assert.Contains("missing, always or never", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MonitorArguments_CarryTheRootsAndModes()
    {
        var ctx = new EngineContext("/var/lib/x", "/run/x", MyRuntime.Runtime.NullLog.Instance);
        var args = ContainerMonitor.Arguments(ctx, 7, attach: true, interactive: false);
        Assert.Equal([ContainerMonitor.Verb, "/var/lib/x", "/run/x", "7", "1", "0"], args);
    }
}
