using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MyRuntime.Tests.Fuzz;

/// <summary>Mutations that keep JSON well-formed (mostly) but make it hostile: values swapped for other types, huge
/// or fractional numbers, deep nesting, unicode and control characters, removed members, members copied from
/// elsewhere, keys known to the target added, and duplicate keys (written by our own writer, as JsonNode cannot
/// hold them). Input that is not JSON falls back to <see cref="ByteMutator"/>.</summary>
public static class JsonMutator
{
    private const string Raw = "\u0001raw:";

    private static readonly string[] RawValues =
    [
        "1e400", "-1e400", "1.5", "-0", "2147483648", "-2147483649", "9223372036854775808", "-9223372036854775809",
        "18446744073709551616", "123456789012345678901234567890", "0.0000000000000000000001", "1E+2",
    ];

    private static readonly string[] Strings =
    [
        "", " ", "\0", "a\nb", "\r", "\u00e9\u00e8", "\ud83d\ude00", "\uffff", "/", "..", "../../..", "/dev/null", "-1",
        "sha256:", "sha256:0000000000000000000000000000000000000000000000000000000000000000", "linux", "amd64", "user",
        "mount", "uts", "pid", "CAP_SYS_ADMIN", "RLIMIT_NOFILE", "SCHED_FIFO", "IOPRIO_CLASS_RT", "0-3,7", "4294967296-",
        "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.layer.v1.tar+gzip", new string('a', 5000), "root:root", "65536:65536", "nobody",
    ];

    public static byte[] Mutate(byte[] input, byte[] other, IReadOnlyList<string> keys, Random rng)
    {
        if (!TryParse(input, out var root))
        {
            return ByteMutator.Mutate(input, other, rng);
        }

        int count = 1 + rng.Next(3);
        string? duplicate = null;
        try
        {
            for (int i = 0; i < count; i++)
            {
                root = MutateOnce(root, other, keys, rng, ref duplicate);
            }

            return Write(root, duplicate, rng);
        }
        catch (InvalidOperationException)
        {
            // A string JsonNode cannot read back (a lone surrogate escape): mutate the bytes instead.
            return ByteMutator.Mutate(input, other, rng);
        }
    }

    private static JsonNode? MutateOnce(JsonNode? root, byte[] other, IReadOnlyList<string> keys, Random rng, ref string? duplicate)
    {
        var nodes = new List<JsonNode?> { root };
        Collect(root, nodes);
        var node = nodes[rng.Next(nodes.Count)];
        switch (rng.Next(9))
        {
            case 0:
                return Replace(root, node, RandomValue(rng));
            case 1:
                return Replace(root, node, SwapType(node, rng));
            case 2:
                if (node?.Parent is JsonObject po)
                {
                    po.Remove(node.GetPropertyName());
                }
                else if (node?.Parent is JsonArray pa)
                {
                    pa.Remove(node);
                }

                return root;
            case 3:
                if (node is JsonObject o && keys.Count > 0)
                {
                    o[keys[rng.Next(keys.Count)]] = RandomValue(rng);
                }

                return root;
            case 4:
                JsonNode? wrapped = node?.DeepClone();
                int depth = rng.Next(2) == 0 ? 10 + rng.Next(60) : 300 + rng.Next(3000);
                for (int i = 0; i < depth; i++)
                {
                    wrapped = rng.Next(2) == 0 ? new JsonArray(wrapped) : new JsonObject { ["a"] = wrapped };
                }

                return Replace(root, node, wrapped);
            case 5:
                var donor = new List<JsonNode?>();
                if (TryParse(other, out var otherRoot))
                {
                    donor.Add(otherRoot);
                    Collect(otherRoot, donor);
                }

                return donor.Count == 0 ? root : Replace(root, node, donor[rng.Next(donor.Count)]?.DeepClone());
            case 6:
                if (node is JsonObject d && d.Count > 0)
                {
                    duplicate = d.ElementAt(rng.Next(d.Count)).Key;
                }

                return root;
            case 7:
                if (node is JsonArray arr && arr.Count > 0)
                {
                    arr.Add(arr[rng.Next(arr.Count)]?.DeepClone());
                }

                return root;
            default:
                return Replace(root, node, JsonValue.Create(Raw + RawValues[rng.Next(RawValues.Length)]));
        }
    }

    /// <summary>JSON that JsonNode can hold: not too deep, no duplicate keys (found when the tree is walked).</summary>
    private static bool TryParse(byte[] input, out JsonNode? root)
    {
        try
        {
            root = JsonNode.Parse(input, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
            Collect(root, []);
            return true;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            root = null;
            return false;
        }
    }

    private static void Collect(JsonNode? node, List<JsonNode?> into)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, v) in o)
                {
                    into.Add(v);
                    Collect(v, into);
                }

                break;
            case JsonArray a:
                foreach (var v in a)
                {
                    into.Add(v);
                    Collect(v, into);
                }

                break;
        }
    }

    private static JsonNode? Replace(JsonNode? root, JsonNode? node, JsonNode? with)
    {
        if (node is null || node == root)
        {
            return with;
        }

        switch (node.Parent)
        {
            case JsonObject o:
                o[node.GetPropertyName()] = with;
                break;
            case JsonArray a:
                a[node.GetElementIndex()] = with;
                break;
        }

        return root;
    }

    private static JsonNode? RandomValue(Random rng) => rng.Next(8) switch
    {
        0 => null,
        1 => JsonValue.Create(rng.Next(2) == 0),
        2 => JsonValue.Create(rng.Next(3) switch { 0 => -1, 1 => 0, _ => rng.Next() }),
        3 => JsonValue.Create(Raw + RawValues[rng.Next(RawValues.Length)]),
        4 => new JsonArray(),
        5 => new JsonObject(),
        6 => new JsonArray(JsonValue.Create(Strings[rng.Next(Strings.Length)]), null),
        _ => JsonValue.Create(Strings[rng.Next(Strings.Length)]),
    };

    private static JsonNode? SwapType(JsonNode? node, Random rng) => node switch
    {
        JsonObject o => new JsonArray([.. o.Select(kv => kv.Value?.DeepClone())]),
        JsonArray a => a.Count > 0 && rng.Next(2) == 0 ? a[0]?.DeepClone() : new JsonObject { ["0"] = a.Count > 0 ? a[0]?.DeepClone() : null },
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonValue.Create(Raw + (rng.Next(2) == 0 ? "1" : "{}")),
        JsonValue v => JsonValue.Create(v.ToJsonString()),
        _ => new JsonObject(),
    };

    /// <summary>Our own writer: raw numbers as written, <paramref name="duplicate"/> written twice wherever it is a key.</summary>
    private static byte[] Write(JsonNode? root, string? duplicate, Random rng)
    {
        var sb = new StringBuilder();
        WriteNode(sb, root, duplicate, rng);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static void WriteNode(StringBuilder sb, JsonNode? node, string? duplicate, Random rng)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject o:
                sb.Append('{');
                bool first = true;
                foreach (var (key, value) in o)
                {
                    int times = key == duplicate ? 2 : 1;
                    for (int i = 0; i < times; i++)
                    {
                        sb.Append(first ? "" : ",").Append(JsonSerializer.Serialize(key, FuzzJson.Default.String)).Append(':');
                        WriteNode(sb, i == 0 ? value : RandomValue(rng), duplicate, rng);
                        first = false;
                    }
                }

                sb.Append('}');
                break;
            case JsonArray a:
                sb.Append('[');
                for (int i = 0; i < a.Count; i++)
                {
                    sb.Append(i == 0 ? "" : ",");
                    WriteNode(sb, a[i], duplicate, rng);
                }

                sb.Append(']');
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is { } s && s.StartsWith(Raw, StringComparison.Ordinal):
                sb.Append(s[Raw.Length..]);
                break;
            default:
                sb.Append(node.ToJsonString());
                break;
        }
    }
}

/// <summary>Source-generated JSON for the fuzzers' own strings.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class FuzzJson : System.Text.Json.Serialization.JsonSerializerContext
{
}
