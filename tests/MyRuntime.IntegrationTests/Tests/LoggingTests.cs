using System.Text.Json;
using System.Text.Json.Nodes;
using MyRuntime.IntegrationTests.Infrastructure;

namespace MyRuntime.IntegrationTests.Tests;

/// <summary>9. <c>--log FILE --log-format json</c> appends JSON lines with level and msg.</summary>
public sealed class LoggingTests : IntegrationTest
{
    [Fact]
    public void JsonLog_AppendsErrorLine()
    {
        var log = Path.Combine(Env.TempDir, "runtime.log");
        const string existing = "{\"level\":\"info\",\"msg\":\"pre-existing line\"}";
        File.WriteAllText(log, existing + "\n");

        var r = Env.Runtime.Run(new[] { "state", "it-nosuch-" + TestEnv.RandomHex(4) },
            globalArgs: new[] { "--log", log, "--log-format", "json" });

        Assert.True(r.ExitCode != 0, r.ToString());
        var lines = File.ReadAllLines(log).Where(l => l.Trim().Length > 0).ToList();
        Assert.True(lines.Count >= 2, "log must keep the old line and append the new one:\n" + string.Join("\n", lines));
        Assert.Equal(existing, lines[0]);

        var entries = lines.Skip(1).Select(ParseObject).ToList();
        Assert.Contains(entries, e =>
            e["level"]?.GetValue<string>() == "error" && !string.IsNullOrWhiteSpace(e["msg"]?.GetValue<string>()));
    }

    [Fact]
    public void JsonLog_CreatedWhenMissing()
    {
        var log = Path.Combine(Env.TempDir, "new.log");
        var bundle = Env.NewBundle().AddNamespace("foo").Save();

        var r = Env.Runtime.Run(new[] { "create", "--bundle", bundle.Dir, Env.NewId() },
            globalArgs: new[] { "--log", log, "--log-format", "json" });

        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.True(File.Exists(log), "the log file must be created");
        var entries = File.ReadAllLines(log).Where(l => l.Trim().Length > 0).Select(ParseObject).ToList();
        Assert.Contains(entries, e =>
            e["level"]?.GetValue<string>() == "error" && !string.IsNullOrWhiteSpace(e["msg"]?.GetValue<string>()));
    }

    private static JsonObject ParseObject(string line)
    {
        try
        {
            return JsonNode.Parse(line) as JsonObject ?? throw new Xunit.Sdk.XunitException("log line is not a JSON object: " + line);
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"log line is not JSON ({e.Message}): {line}");
        }
    }
}
