namespace MyRuntime.Tests.Seccomp;

/// <summary>A small interpreter of the classic BPF a seccomp filter may use (LD ABS word, ALU AND, JA, JEQ, JGT,
/// JGE, RET), run on a struct seccomp_data; it checks every jump stays inside the program.</summary>
public static class ClassicBpf
{
    public const uint AuditArchX86_64 = 0xC000003E;
    public const uint AuditArchI386 = 0x40000003;

    public static uint Run(ulong[] program, uint arch, uint nr, params ulong[] args)
    {
        byte[] data = new byte[64];
        BitConverter.GetBytes(nr).CopyTo(data, 0);
        BitConverter.GetBytes(arch).CopyTo(data, 4);
        for (int i = 0; i < args.Length; i++)
        {
            BitConverter.GetBytes(args[i]).CopyTo(data, 16 + (8 * i));
        }

        uint a = 0;
        int pc = 0;
        while (true)
        {
            Assert.InRange(pc, 0, program.Length - 1);
            ulong insn = program[pc++];
            ushort code = (ushort)insn;
            int jt = (byte)(insn >> 16), jf = (byte)(insn >> 24);
            uint k = (uint)(insn >> 32);
            switch (code)
            {
                case 0x20:
                    Assert.True(k % 4 == 0 && k <= 60, $"bad load offset {k}");
                    a = BitConverter.ToUInt32(data, (int)k);
                    break;
                case 0x54:
                    a &= k;
                    break;
                case 0x05:
                    pc += (int)k;
                    break;
                case 0x15:
                    pc += a == k ? jt : jf;
                    break;
                case 0x25:
                    pc += a > k ? jt : jf;
                    break;
                case 0x35:
                    pc += a >= k ? jt : jf;
                    break;
                case 0x06:
                    return k;
                default:
                    Assert.Fail($"unexpected BPF opcode 0x{code:x} at {pc - 1}");
                    break;
            }
        }
    }
}
