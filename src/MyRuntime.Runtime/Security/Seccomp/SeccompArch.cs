namespace MyRuntime.Runtime.Security.Seccomp;

/// <summary>The system call ABIs of an x86_64 kernel.</summary>
internal enum SeccompArch
{
    X86_64,
    X86,
    X32,
}

/// <summary>The spec's SCMP_ARCH_* names.</summary>
internal static class SeccompArchNames
{
    public const uint AuditArchX86_64 = 0xC000003E; // EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE
    public const uint AuditArchI386 = 0x40000003; // EM_386 | __AUDIT_ARCH_LE

    /// <summary>Names libseccomp knows for other machines: accepted, and without effect here, since no process on
    /// an x86_64 kernel can make a system call under their ABI.</summary>
    private static readonly HashSet<string> Foreign =
    [
        "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
        "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",
        "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
    ];

    /// <summary>The x86 ABI a name stands for; null for another machine's; a RuntimeException for an unknown name.</summary>
    public static SeccompArch? Parse(string name) => name switch
    {
        "SCMP_ARCH_X86_64" => SeccompArch.X86_64,
        "SCMP_ARCH_X86" => SeccompArch.X86,
        "SCMP_ARCH_X32" => SeccompArch.X32,
        _ when Foreign.Contains(name) => null,
        _ => throw new RuntimeException($"linux.seccomp: unknown architecture \"{name}\""),
    };
}
