namespace MyRuntime.Oci.RuntimeSpec;

/// <summary>The state of a container as the runtime-spec's `state` operation reports it.</summary>
public sealed class State
{
    public string OciVersion { get; set; } = SpecVersion.Current;

    public string Id { get; set; } = string.Empty;

    public string Status { get; set; } = string.Empty;

    public int Pid { get; set; }

    public string Bundle { get; set; } = string.Empty;

    public Dictionary<string, string>? Annotations { get; set; }
}

public static class SpecVersion
{
    public const string Current = "1.2.0";
    public const string Min = "1.0.0";
}
