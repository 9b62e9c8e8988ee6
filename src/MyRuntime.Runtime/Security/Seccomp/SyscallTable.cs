namespace MyRuntime.Runtime.Security.Seccomp;

/// <summary>The architectures a filter on x86_64 can meet, and their system call numbers by name.</summary>
internal static partial class SyscallTable
{
    /// <summary>The x32 ABI's system calls come in under AUDIT_ARCH_X86_64 with this bit set in the number.</summary>
    public const uint X32Bit = 0x40000000;

    /// <summary>The name of a number (without the x32 bit) under arch, or null.</summary>
    public static string? NameOf(SeccompArch arch, uint nr) =>
        Table(arch).FirstOrDefault(e => e.Value == (int)(nr & ~X32Bit)).Key;

    /// <summary>The number of name under arch, or null when that architecture has no such call.</summary>
    public static uint? Number(SeccompArch arch, string name)
    {
        if (!Table(arch).TryGetValue(name, out int nr))
        {
            return null;
        }

        return arch == SeccompArch.X32 ? (uint)nr | X32Bit : (uint)nr;
    }

    private static Dictionary<string, int> Table(SeccompArch arch) => arch switch
    {
        SeccompArch.X86_64 => X86_64,
        SeccompArch.X86 => I386,
        _ => X32,
    };
}
