namespace MyRuntime.Oci.RuntimeSpec;

/// <summary>features.json of the runtime-spec: what this runtime implements.</summary>
public sealed class Features
{
    public string OciVersionMin { get; set; } = SpecVersion.Min;

    public string OciVersionMax { get; set; } = SpecVersion.Current;

    public List<string> Hooks { get; set; } = [];

    public List<string> MountOptions { get; set; } = [];

    public FeaturesLinux Linux { get; set; } = new();

    public Dictionary<string, string> Annotations { get; set; } = [];
}

public sealed class FeaturesLinux
{
    public List<string> Namespaces { get; set; } = [];

    public List<string> Capabilities { get; set; } = [];

    public FeaturesCgroup Cgroup { get; set; } = new();

    public FeatureToggle Apparmor { get; set; } = new();

    public FeatureToggle Selinux { get; set; } = new();

    public FeatureToggle IntelRdt { get; set; } = new();
}

public sealed class FeaturesCgroup
{
    public bool V1 { get; set; }

    public bool V2 { get; set; }

    public bool Systemd { get; set; }

    public bool SystemdUser { get; set; }

    public bool Rdma { get; set; }
}

public sealed class FeatureToggle
{
    public bool Enabled { get; set; }
}
