using MyRuntime.Linux;
using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime.Cgroups.Devices;
using MyRuntime.Runtime.Cgroups.V2;

namespace MyRuntime.Tests;

public class DeviceProgramTests
{
    private static LinuxDeviceCgroup Rule(bool allow, string? type = null, long? major = null, long? minor = null, string access = "rwm") =>
        new() { Allow = allow, Type = type, Major = major, Minor = minor, Access = access };

    private static DeviceAllowlist Of(params LinuxDeviceCgroup[] rules) =>
        DeviceAllowlist.From(DeviceRules.WithDefaults(new LinuxResources { Devices = [.. rules] }, null)!.Devices!);

    public static TheoryData<string> RuleSets => ["deny-all", "deny-all+loop", "allow-all", "deny-sda-write", "allow-partial"];

    private static DeviceAllowlist Named(string name) => name switch
    {
        "deny-all" => Of(Rule(false)),
        "deny-all+loop" => Of(Rule(false), Rule(true, "b", 7, null, "rw"), Rule(true, "b", 7, 1, "m"), Rule(false, "b", 7, null, "w")),
        "allow-all" => Of(Rule(true)),
        "deny-sda-write" => Of(Rule(false, "b", 8, 0, "w"), Rule(false, "c", 10, null, "rwm")),
        "allow-partial" => Of(Rule(false), Rule(true, "c", null, 4, "r"), Rule(true, "c", 4, null, "w")),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(RuleSets))]
    public void Program_IsWellFormed(string name)
    {
        var list = Named(name);
        var p = DeviceProgram.Compile(list);

        Assert.True(p[^1].IsExit);
        Assert.True(p.Count is > 6 and < 4096);
        for (int i = 0; i < p.Count; i++)
        {
            if (p[i].IsJump)
            {
                int target = i + 1 + p[i].Off;
                Assert.InRange(target, i + 1, p.Count - 1);
            }

            Assert.InRange(p[i].Dst, 0, 5);
            Assert.InRange(p[i].Src, 0, 5);
        }

        // Six loads, then per exception its tests, a verdict and an exit; then the default and an exit.
        int exits = p.Count(i => i.IsExit);
        Assert.Equal(list.Exceptions.Count + 1, exits);
        Assert.Equal(list.DefaultAllow ? 1 : 0, p[^2].Imm);
    }

    [Theory]
    [MemberData(nameof(RuleSets))]
    public void Program_DecidesEveryDeviceAsTheAllowlistDoes(string name)
    {
        var list = Named(name);
        var p = DeviceProgram.Compile(list);

        foreach (char type in "bc")
        {
            foreach (long major in new long[] { 1, 4, 5, 7, 8, 10, 136, 4095 })
            {
                foreach (long minor in new long[] { 0, 1, 3, 4, 5, 200 })
                {
                    for (int access = 1; access <= 7; access++)
                    {
                        bool expected = list.Allows(type, major, minor, (DeviceAccess)access);
                        bool actual = Run(p, DeviceProgram.TypeCode(type) | (access << 16), (uint)major, (uint)minor) == 1;
                        Assert.True(expected == actual, $"{name}: {type} {major}:{minor} access {access}: program says {actual}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Encode_IsTheKernelsLayout()
    {
        // r2 = *(u32 *)(r1 + 4): opcode 0x61, dst 2 | src 1 << 4, off 4.
        Assert.Equal(0x0000_0000_0004_1261UL, BpfInstruction.LoadWord(2, 1, 4).Encode());

        // if r4 != 136 goto +3: opcode 0x55, dst 4, off 3, imm 136.
        Assert.Equal(0x0000_0088_0003_0455UL, BpfInstruction.JumpIfNot(4, 136, 3).Encode());
        Assert.Equal(0x95UL, BpfInstruction.Exit().Encode());
    }

    /// <summary>Just enough of an eBPF interpreter for the instructions the compiler emits.</summary>
    private static ulong Run(List<BpfInstruction> p, int accessType, uint major, uint minor)
    {
        var ctx = new uint[] { (uint)accessType, major, minor };
        var r = new ulong[11];
        r[1] = 0xC0DE_0000;
        for (int pc = 0, steps = 0; steps < 10_000; steps++)
        {
            var i = p[pc++];
            switch (i.Code)
            {
                case 0x61: Assert.Equal(0xC0DE_0000UL, r[i.Src]); r[i.Dst] = ctx[i.Off / 4]; break;
                case 0x54: r[i.Dst] = (uint)r[i.Dst] & (uint)i.Imm; break;
                case 0x74: r[i.Dst] = (uint)r[i.Dst] >> i.Imm; break;
                case 0xbc: r[i.Dst] = (uint)r[i.Src]; break;
                case 0xb7: r[i.Dst] = (ulong)(long)i.Imm; break;
                case 0x55: pc += r[i.Dst] != (ulong)(long)i.Imm ? i.Off : 0; break;
                case 0x5d: pc += r[i.Dst] != r[i.Src] ? i.Off : 0; break;
                case 0x15: pc += r[i.Dst] == (ulong)(long)i.Imm ? i.Off : 0; break;
                case 0x95: return r[0];
                default: throw new InvalidOperationException($"opcode 0x{i.Code:x2}");
            }
        }

        throw new InvalidOperationException("no exit");
    }
}
