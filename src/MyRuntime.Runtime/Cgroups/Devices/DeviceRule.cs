namespace MyRuntime.Runtime.Cgroups.Devices;

/// <summary>What a device rule lets a process do; the bits are the kernel's (BPF_DEVCG_ACC_*).</summary>
[Flags]
public enum DeviceAccess
{
    None = 0,
    Mknod = 1,
    Read = 2,
    Write = 4,
    All = Mknod | Read | Write,
}

/// <summary>One normalized device rule: type 'a' (every device), 'b' or 'c'; major and minor, or
/// <see cref="Any"/>; the access it allows or denies.</summary>
public readonly record struct DeviceRule(bool Allow, char Type, long Major, long Minor, DeviceAccess Access)
{
    public const long Any = -1;

    public static DeviceRule AllowChar(long major, long minor) => new(true, 'c', major, minor, DeviceAccess.All);

    /// <summary>The line devices.allow / devices.deny take: "c 1:3 rwm", "b *:* m", "a".</summary>
    public string CgroupLine() => Type == 'a' ? "a" : $"{Type} {Number(Major)}:{Number(Minor)} {AccessText(Access)}";

    public override string ToString() => $"{(Allow ? "allow" : "deny")} {(Type == 'a' ? "a *:*" : $"{Type} {Number(Major)}:{Number(Minor)}")} {AccessText(Access)}";

    public static string AccessText(DeviceAccess a) =>
        ((a & DeviceAccess.Read) != 0 ? "r" : string.Empty) + ((a & DeviceAccess.Write) != 0 ? "w" : string.Empty) + ((a & DeviceAccess.Mknod) != 0 ? "m" : string.Empty);

    private static string Number(long n) => n == Any ? "*" : n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
