using System.Text;
using System.Text.Json;
using MyRuntime.Runtime;

namespace MyRuntime.Cli;

/// <summary>The --log file in --log-format text (logrus style) or json ({"level":..,"msg":..,"time":..} lines, as
/// containerd and podman read them); warnings and debug lines to stderr only with --debug.</summary>
public sealed class CliLog : IRuntimeLog
{
    private readonly string? path;
    private readonly bool json;
    private readonly bool debug;

    public CliLog(string? path, string format, bool debug)
    {
        this.path = string.IsNullOrEmpty(path) ? null : path;
        json = format == "json";
        this.debug = debug;
    }

    public void Warn(string message) => Write("warning", message, debug);

    public void Debug(string message)
    {
        if (debug)
        {
            Write("debug", message, toStderr: true);
        }
    }

    /// <summary>An error: into the log, and always as one line on stderr.</summary>
    public void Error(string message)
    {
        Write("error", message, toStderr: false);
        Console.Error.WriteLine($"myruntime: {message}");
    }

    private void Write(string level, string message, bool toStderr)
    {
        string time = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture);
        if (path is not null)
        {
            string line = json ? JsonLine(level, message, time) : $"time=\"{time}\" level={level} msg={Quote(message)}";
            try
            {
                File.AppendAllText(path, line + "\n");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"myruntime: cannot write log {path}: {e.Message}");
            }
        }

        if (toStderr)
        {
            Console.Error.WriteLine($"{level}: {message}");
        }
    }

    private static string JsonLine(string level, string message, string time)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("level", level);
            w.WriteString("msg", message);
            w.WriteString("time", time);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").ReplaceLineEndings(" ") + "\"";
}
