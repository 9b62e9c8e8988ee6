using MyRuntime.Images;
using MyRuntime.Images.Archive;

namespace MyRuntime.Tests.Images;

public sealed class ImportChangesTests
{
    [Fact]
    public void DockerfileInstructionsBecomeTheConfig()
    {
        var c = ImportChanges.Apply(["EXPOSE 80 53/udp", "ENV A=1", "env B 2", "CMD [\"httpd\", \"-f\"]", "ENTRYPOINT echo hi", "WORKDIR /srv", "USER 1000", "STOPSIGNAL SIGQUIT", "LABEL k=v"])!;
        Assert.Equal(["80/tcp", "53/udp"], c.ExposedPorts!.Keys.ToArray());
        Assert.Equal(["A=1", "B=2"], c.Env!.ToArray());
        Assert.Equal(["httpd", "-f"], c.Cmd!.ToArray());
        Assert.Equal(["/bin/sh", "-c", "echo hi"], c.Entrypoint!.ToArray());
        Assert.Equal(("/srv", "1000", "SIGQUIT", "v"), (c.WorkingDir, c.User, c.StopSignal, c.Labels!["k"]));
        Assert.Null(ImportChanges.Apply([]));
    }

    [Theory]
    [InlineData("RUN echo", "not one of")]
    [InlineData("EXPOSE", "needs a value")]
    [InlineData("CMD [\"a\", 1]", "not a JSON array")]
    public void BadChangesAreRefused(string change, string message) =>
        Assert.Contains(message, Assert.Throws<ImagesException>(() => ImportChanges.Apply([change])).Message, StringComparison.Ordinal);
}
