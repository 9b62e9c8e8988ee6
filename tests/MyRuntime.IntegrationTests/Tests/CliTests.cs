using System.Text.Json;
using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>11. spec, features, --version.</summary>
public sealed class CliTests : IntegrationTest
{
    [Fact]
    public void Spec_WritesParsableConfigInCurrentDirectory()
    {
        var dir = Env.NewDir("spec-cwd");

        var r = Env.Runtime.Run(new[] { "spec" }, workingDirectory: dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        AssertValidSpec(Path.Combine(dir, "config.json"));
    }

    [Fact]
    public void Spec_WithBundle_WritesThere()
    {
        var dir = Env.NewDir("spec-bundle");

        var r = Env.Runtime.Run("spec", "--bundle", dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        AssertValidSpec(Path.Combine(dir, "config.json"));
    }

    [Fact]
    public void Features_PrintsOciVersionRange()
    {
        var r = Env.Runtime.Run("features");

        Assert.True(r.ExitCode == 0, r.ToString());
        var features = Parse(r.Stdout, "features output");
        Assert.False(string.IsNullOrWhiteSpace(features["ociVersionMin"]?.GetValue<string>()), r.ToString());
        Assert.False(string.IsNullOrWhiteSpace(features["ociVersionMax"]?.GetValue<string>()), r.ToString());
    }

    [Fact]
    public void Version_MentionsSpec()
    {
        var r = Env.Runtime.Run("--version");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("spec", r.Stdout, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void List_EmptyRoot_Succeeds()
    {
        var r = Env.Runtime.Run("list");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(r.StdoutLines.Count <= 1, "an empty root lists at most a header:\n" + r);
    }

    private static void AssertValidSpec(string path)
    {
        Assert.True(File.Exists(path), path + " was not written");
        var spec = Parse(File.ReadAllText(path), path);
        Assert.False(string.IsNullOrWhiteSpace(spec["ociVersion"]?.GetValue<string>()));
        Assert.NotNull(spec["process"]?["args"] as JsonArray);
        Assert.False(string.IsNullOrWhiteSpace(spec["root"]?["path"]?.GetValue<string>()));
        Assert.NotNull(spec["linux"]?["namespaces"] as JsonArray);
    }

    private static JsonObject Parse(string text, string what)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new Xunit.Sdk.XunitException(what + " is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"{what} is not JSON ({e.Message}):\n{text}");
        }
    }
}
