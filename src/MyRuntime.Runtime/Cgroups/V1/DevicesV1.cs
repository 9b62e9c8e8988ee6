using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime.Cgroups.Devices;

namespace MyRuntime.Runtime.Cgroups.V1;

/// <summary>The v1 devices controller: brings devices.list from what it holds to what the rules give, granting
/// before taking away where it can so that a running container keeps what it keeps.</summary>
public static class DevicesV1
{
    public static void Apply(string dir, IEnumerable<LinuxDeviceCgroup> rules)
    {
        var target = DeviceAllowlist.From(rules);
        var current = DeviceAllowlist.ParseList(CgroupFiles.Read(dir, "devices.list"));

        // The kernel lists no exceptions while the default allows, so from there (or to there) start afresh.
        if (target.DefaultAllow || current.DefaultAllow)
        {
            CgroupFiles.Write(dir, target.DefaultAllow ? "devices.allow" : "devices.deny", "a");
            current = target.DefaultAllow ? DeviceAllowlist.AllowAll() : DeviceAllowlist.DenyAll();
        }

        string grant = target.DefaultAllow ? "devices.deny" : "devices.allow";
        string revoke = target.DefaultAllow ? "devices.allow" : "devices.deny";
        var wanted = target.Exceptions.ToDictionary(e => (e.Type, e.Major, e.Minor), e => e.Access);
        foreach (var e in target.Exceptions)
        {
            CgroupFiles.Write(dir, grant, e.CgroupLine());
        }

        foreach (var e in current.Exceptions)
        {
            var extra = e.Access & ~wanted.GetValueOrDefault((e.Type, e.Major, e.Minor));
            if (extra != DeviceAccess.None)
            {
                CgroupFiles.Write(dir, revoke, (e with { Access = extra }).CgroupLine());
            }
        }

        if (!target.DefaultAllow)
        {
            string listed = CgroupFiles.Read(dir, "devices.list");
            if (!DeviceAllowlist.ParseList(listed).SameAs(target))
            {
                throw new RuntimeException($"cgroup: {dir}/devices.list reads '{listed.ReplaceLineEndings(", ")}', not what the device rules give");
            }
        }
    }
}
