using System.Text.Json;
using MyRuntime.Oci;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Config;

/// <summary>Reads a bundle's config.json and checks it before anything is made.</summary>
public static class SpecLoader
{
    public static Spec Load(string bundle)
    {
        string path = Path.Combine(bundle, "config.json");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            throw new RuntimeException($"bundle {bundle}: config.json not found");
        }
        catch (DirectoryNotFoundException)
        {
            throw new RuntimeException($"bundle {bundle} does not exist");
        }
        catch (IOException e)
        {
            throw new RuntimeException($"read {path}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new RuntimeException($"read {path}: {e.Message}");
        }

        return Parse(bytes, path);
    }

    public static Spec Parse(ReadOnlySpan<byte> json, string name)
    {
        try
        {
            return JsonSerializer.Deserialize(json, OciJson.Default.Spec)
                ?? throw new RuntimeException($"{name}: empty document");
        }
        catch (JsonException e)
        {
            throw new RuntimeException($"{name}: invalid JSON: {OneLine(e.Message)}");
        }
    }

    public static Process ParseProcess(ReadOnlySpan<byte> json, string name)
    {
        try
        {
            return JsonSerializer.Deserialize(json, OciJson.Default.Process)
                ?? throw new RuntimeException($"{name}: empty document");
        }
        catch (JsonException e)
        {
            throw new RuntimeException($"{name}: invalid JSON: {OneLine(e.Message)}");
        }
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
