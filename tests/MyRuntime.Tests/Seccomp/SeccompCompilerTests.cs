using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime;
using MyRuntime.Runtime.Security.Seccomp;
using static MyRuntime.Tests.Seccomp.ClassicBpf;

namespace MyRuntime.Tests.Seccomp;

public class SeccompCompilerTests
{
    private const uint Allow = 0x7fff0000;
    private const uint KillProcess = 0x80000000;
    private const uint KillThread = 0;
    private const uint Trap = 0x00030000;
    private const uint Log = 0x7ffc0000;
    private const uint Eperm = 0x00050001;
    private const uint Enosys = 0x00050026;

    // x86_64 numbers: read 0, write 1, mkdir 83, personality 135, clone 56, getpid 39; i386: mkdir 39, getpid 20.
    private const uint Mkdir = 83;
    private const uint Personality = 135;

    private static LinuxSyscall Rule(string action, params string[] names) => new() { Action = action, Names = [.. names] };

    private static LinuxSyscall Rule(string action, string name, params LinuxSeccompArg[] args) =>
        new() { Action = action, Names = [name], Args = [.. args] };

    private static LinuxSeccompArg Arg(uint index, string op, ulong value, ulong valueTwo = 0) =>
        new() { Index = index, Op = "SCMP_CMP_" + op, Value = value, ValueTwo = valueTwo };

    private static ulong[] Compile(string defaultAction, params LinuxSyscall[] rules) =>
        SeccompCompiler.Compile(new LinuxSeccomp { DefaultAction = defaultAction, Syscalls = [.. rules] }).Instructions;

    [Theory]
    [InlineData("SCMP_ACT_KILL", KillThread)]
    [InlineData("SCMP_ACT_KILL_THREAD", KillThread)]
    [InlineData("SCMP_ACT_KILL_PROCESS", KillProcess)]
    [InlineData("SCMP_ACT_TRAP", Trap)]
    [InlineData("SCMP_ACT_ERRNO", Eperm)]
    [InlineData("SCMP_ACT_TRACE", 0x7ff00001u)]
    [InlineData("SCMP_ACT_ALLOW", Allow)]
    [InlineData("SCMP_ACT_LOG", Log)]
    public void EveryAction_AsRuleAndAsDefault(string action, uint expected)
    {
        var p = Compile(action == "SCMP_ACT_ALLOW" ? "SCMP_ACT_LOG" : "SCMP_ACT_ALLOW", Rule(action, "mkdir"));
        Assert.Equal(expected, Run(p, AuditArchX86_64, Mkdir));
        Assert.Equal(action == "SCMP_ACT_ALLOW" ? Log : Allow, Run(p, AuditArchX86_64, 0));

        var d = Compile(action, Rule(action == "SCMP_ACT_ALLOW" ? "SCMP_ACT_LOG" : "SCMP_ACT_ALLOW", "read"));
        Assert.Equal(expected, Run(d, AuditArchX86_64, Mkdir));
    }

    [Fact]
    public void ErrnoRet_OnRuleAndDefault()
    {
        var s = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            DefaultErrnoRet = 38,
            Syscalls = [new LinuxSyscall { Action = "SCMP_ACT_ERRNO", ErrnoRet = 13, Names = ["mkdir"] }, Rule("SCMP_ACT_ALLOW", "read")],
        };
        var p = SeccompCompiler.Compile(s).Instructions;
        Assert.Equal(0x0005000Du, Run(p, AuditArchX86_64, Mkdir));
        Assert.Equal(Enosys, Run(p, AuditArchX86_64, 39));
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 0));
    }

    [Fact]
    public void Architectures_NativeOnly_OthersKilled_X32BitKilled()
    {
        var p = Compile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir"));
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, Mkdir));
        Assert.Equal(KillProcess, Run(p, AuditArchI386, 39));
        Assert.Equal(KillProcess, Run(p, 0xC00000B7 /* aarch64 */, Mkdir));

        // x32's mkdir is the x86_64 number with bit 30: it must not slip past the rule as "another call".
        Assert.Equal(KillProcess, Run(p, AuditArchX86_64, Mkdir | 0x40000000));
    }

    [Fact]
    public void Architectures_X86AndX32_UseTheirOwnNumbers()
    {
        var s = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64"],
            Syscalls = [Rule("SCMP_ACT_ALLOW", "getpid", "execve"), Rule("SCMP_ACT_KILL_PROCESS", "mkdir")],
        };
        var p = SeccompCompiler.Compile(s).Instructions;
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 39));
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 59));
        Assert.Equal(KillProcess, Run(p, AuditArchX86_64, Mkdir));
        Assert.Equal(Allow, Run(p, AuditArchI386, 20)); // i386 getpid
        Assert.Equal(Allow, Run(p, AuditArchI386, 11)); // i386 execve
        Assert.Equal(KillProcess, Run(p, AuditArchI386, 39)); // i386 mkdir
        Assert.Equal(Eperm, Run(p, AuditArchI386, Mkdir)); // 83 is symlink on i386
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 39 | 0x40000000)); // x32 getpid
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 520 | 0x40000000)); // x32 execve
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, 59 | 0x40000000)); // the x86_64 execve number is not x32's
        Assert.Equal(KillProcess, Run(p, AuditArchX86_64, Mkdir | 0x40000000));
        Assert.Equal(KillProcess, Run(p, 0xC00000B7, 39)); // listed but foreign: no such ABI here
    }

    [Theory]
    [InlineData("EQ", 5UL, 0UL, new ulong[] { 5 }, new ulong[] { 4, 6, 5 | (1UL << 32) })]
    [InlineData("NE", 5UL, 0UL, new ulong[] { 4, 6, 5 | (1UL << 32) }, new ulong[] { 5 })]
    [InlineData("LT", 0x100000005UL, 0UL, new ulong[] { 0, 5, 0x100000004, 0xffffffff }, new ulong[] { 0x100000005, 0x100000006, 0x200000000 })]
    [InlineData("LE", 0x100000005UL, 0UL, new ulong[] { 0, 0x100000005, 0xffffffff }, new ulong[] { 0x100000006, 0x200000000 })]
    [InlineData("GT", 0x100000005UL, 0UL, new ulong[] { 0x100000006, 0x200000000, ulong.MaxValue }, new ulong[] { 0x100000005, 6, 0xffffffff })]
    [InlineData("GE", 0x100000005UL, 0UL, new ulong[] { 0x100000005, 0x200000000 }, new ulong[] { 0x100000004, 0x6, 0xffffffff })]
    [InlineData("MASKED_EQ", 0xff000000ffUL, 0x1000000002UL, new ulong[] { 0x1000000002, 0xff100000ff02 }, new ulong[] { 0x2, 0x1000000003, 0x2000000002 })]
    public void EveryOp_On64BitArguments(string op, ulong value, ulong valueTwo, ulong[] match, ulong[] miss)
    {
        var p = Compile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "personality", Arg(2, op, value, valueTwo)));
        foreach (ulong v in match)
        {
            Assert.True(Run(p, AuditArchX86_64, Personality, 0, 0, v) == Eperm, $"{op} {value:x}: {v:x} should match");
        }

        foreach (ulong v in miss)
        {
            Assert.True(Run(p, AuditArchX86_64, Personality, 0, 0, v) == Allow, $"{op} {value:x}: {v:x} should not match");
        }
    }

    [Fact]
    public void ArgsOfOneRule_AreAnded_RulesOfOneCall_AreOred()
    {
        var p = Compile(
            "SCMP_ACT_ERRNO",
            Rule("SCMP_ACT_ALLOW", "personality", Arg(0, "EQ", 8), Arg(1, "EQ", 1)),
            Rule("SCMP_ACT_ALLOW", "personality", Arg(0, "EQ", 0xffffffff)),
            Rule("SCMP_ACT_ALLOW", "read"));
        Assert.Equal(Allow, Run(p, AuditArchX86_64, Personality, 8, 1));
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, Personality, 8, 2));
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, Personality, 7, 1));
        Assert.Equal(Allow, Run(p, AuditArchX86_64, Personality, 0xffffffff));
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, Personality, 0x1ffffffff));
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 0));
    }

    [Fact]
    public void ConditionalRulesComeBeforeAnUnconditionalOne()
    {
        var p = Compile(
            "SCMP_ACT_ALLOW",
            Rule("SCMP_ACT_LOG", "personality"),
            Rule("SCMP_ACT_ERRNO", "personality", Arg(0, "EQ", 8)));
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, Personality, 8));
        Assert.Equal(Log, Run(p, AuditArchX86_64, Personality, 9));
    }

    [Fact]
    public void X86Arguments_AreJudgedOnTheLow32Bits()
    {
        var s = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Architectures = ["SCMP_ARCH_X86"],
            Syscalls = [Rule("SCMP_ACT_ERRNO", "personality", Arg(0, "EQ", 8))],
        };
        var p = SeccompCompiler.Compile(s).Instructions;
        Assert.Equal(Eperm, Run(p, AuditArchI386, 136, 8)); // i386 personality
        Assert.Equal(Allow, Run(p, AuditArchI386, 136, 9));
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, Personality, 8));
    }

    [Fact]
    public void UnknownNames_AreSkipped()
    {
        var p = Compile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "no_such_call", "arm_fadvise64_64", "mkdir"));
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, Mkdir));
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 0));
    }

    [Fact]
    public void EveryCallOfALargeAllowlist_IsFound_OthersGetTheDefault()
    {
        string[] names = [.. Enumerable.Range(0, 335).Select(n => SyscallName(n)).OfType<string>()];
        var p = Compile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", names), Rule("SCMP_ACT_ERRNO", "personality", Arg(0, "NE", 0)));
        Assert.True(p.Length < 1000, $"{p.Length} instructions");
        for (uint nr = 0; nr < 500; nr++)
        {
            uint expected = nr < 335 && SyscallName((int)nr) is not null ? Allow : Eperm;
            Assert.True(Run(p, AuditArchX86_64, nr) == expected, $"nr {nr}");
        }

        Assert.Equal(Eperm, Run(p, AuditArchX86_64, Personality, 1));
    }

    private static string? SyscallName(int nr) => SyscallTable.NameOf(SeccompArch.X86_64, (uint)nr);

    [Fact]
    public void LongBranches_AreStillRight()
    {
        // Many conditional rules for one call push the search tree's far side beyond an 8-bit jump.
        var rules = Enumerable.Range(0, 80).Select(i => Rule("SCMP_ACT_ALLOW", "personality", Arg(0, "EQ", (ulong)i), Arg(1, "GT", 5))).ToList();
        rules.Add(Rule("SCMP_ACT_ALLOW", [.. Enumerable.Range(0, 40).Select(n => SyscallName(n)).OfType<string>()]));
        rules.Add(Rule("SCMP_ACT_LOG", "getdents64", "exit_group"));
        var p = Compile("SCMP_ACT_ERRNO", [.. rules]);
        Assert.Equal(Allow, Run(p, AuditArchX86_64, Personality, 79, 6));
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, Personality, 79, 5));
        Assert.Equal(Eperm, Run(p, AuditArchX86_64, Personality, 80, 6));
        Assert.Equal(Log, Run(p, AuditArchX86_64, 231));
        Assert.Equal(Allow, Run(p, AuditArchX86_64, 0));
    }

    [Fact]
    public void Flags_PassThrough()
    {
        var f = SeccompCompiler.Compile(new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Flags = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
        });
        Assert.Equal(7u, f.Flags);
    }

    public static TheoryData<string, string> BadProfiles => new()
    {
        { """{"defaultAction":"SCMP_ACT_NOPE"}""", "unknown action \"SCMP_ACT_NOPE\"" },
        { """{"defaultAction":"SCMP_ACT_NOTIFY"}""", "SCMP_ACT_NOTIFY is not supported" },
        { """{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/x.sock"}""", "listenerPath" },
        { """{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_VAX"]}""", "unknown architecture \"SCMP_ARCH_VAX\"" },
        { """{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_NEW_LISTENER"]}""", "SECCOMP_FILTER_FLAG_NEW_LISTENER" },
        { """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ALLOW","errnoRet":1}]}""", "errnoRet is not allowed" },
        { """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}""", "index 6" },
        { """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_LIKE"}]}]}""", "unknown argument operator" },
        { """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[],"action":"SCMP_ACT_ERRNO"}]}""", "names is empty" },
    };

    [Theory]
    [MemberData(nameof(BadProfiles))]
    public void BadProfiles_AreOneLineErrors(string json, string part)
    {
        var s = System.Text.Json.JsonSerializer.Deserialize(json, MyRuntime.Oci.OciJson.Default.LinuxSeccomp)!;
        var e = Assert.Throws<RuntimeException>(() => SeccompCompiler.Compile(s));
        Assert.Contains(part, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void TooLongAProgram_IsRefused()
    {
        var rules = Enumerable.Range(0, 1200).Select(i => Rule("SCMP_ACT_ALLOW", "personality", Arg(0, "EQ", (ulong)i))).ToArray();
        var e = Assert.Throws<RuntimeException>(() => Compile("SCMP_ACT_ERRNO", rules));
        Assert.Contains("more than the kernel's 4096", e.Message);
    }
}
