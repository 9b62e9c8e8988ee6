using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace MyRuntime.Engine.Logs;

/// <summary>One line of Docker's json-file format, <c>{"log":"...","stream":"stdout","time":"..."}</c> and a
/// newline, written and read without reflection.</summary>
internal static class JsonLogLine
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Non-ASCII text stays readable; quotes, backslashes and control characters are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>Appends one entry and its newline. Bytes that are not valid UTF-8 become U+FFFD.</summary>
    public static void Write(ArrayBufferWriter<byte> output, string stream, ReadOnlySpan<byte> payload, DateTime utc)
    {
        using (var json = new Utf8JsonWriter(output, WriterOptions))
        {
            json.WriteStartObject();
            if (Utf8.IsValid(payload))
            {
                json.WriteString("log"u8, payload);
            }
            else
            {
                json.WriteString("log"u8, Encoding.UTF8.GetString(payload));
            }

            json.WriteString("stream"u8, stream);
            Span<char> time = stackalloc char[LogTime.Length];
            LogTime.Format(utc, time);
            json.WriteString("time"u8, time);
            json.WriteEndObject();
        }

        output.Write("\n"u8);
    }

    /// <summary>Reads one line (without its newline). False when it is not a complete entry (a line cut short by
    /// a killed writer, garbage, a missing field or an unknown stream). The unescaped payload is left in
    /// <paramref name="payload"/>, which grows as needed.</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, ref byte[] payload, out int payloadLength, out bool stderr, out DateTimeOffset time)
    {
        payloadLength = -1;
        stderr = false;
        time = default;
        bool haveStream = false, haveTime = false;
        Span<char> timeText = stackalloc char[64];
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("log"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }

                    int max = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
                    if (payload.Length < max)
                    {
                        payload = new byte[Math.Max(max, payload.Length * 2)];
                    }

                    payloadLength = reader.CopyString(payload);
                }
                else if (reader.ValueTextEquals("stream"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }

                    stderr = reader.ValueTextEquals("stderr"u8);
                    haveStream = stderr || reader.ValueTextEquals("stdout"u8);
                }
                else if (reader.ValueTextEquals("time"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > 64)
                    {
                        return false;
                    }

                    int n = reader.CopyString(timeText);
                    haveTime = LogTime.TryParse(timeText[..n], TimeSpan.Zero, out time);
                }
                else if (!reader.Read() || !reader.TrySkip())
                {
                    return false;
                }
            }

            return reader.TokenType == JsonTokenType.EndObject && !reader.Read() && payloadLength >= 0 && haveStream && haveTime;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
