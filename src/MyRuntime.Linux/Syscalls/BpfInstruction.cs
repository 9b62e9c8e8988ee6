namespace MyRuntime.Linux;

/// <summary>One eBPF instruction (struct bpf_insn): opcode, destination and source registers, offset, immediate.</summary>
public readonly record struct BpfInstruction(byte Code, byte Dst, byte Src, short Off, int Imm)
{
    // Instruction classes, operations and sources (linux/bpf_common.h, linux/bpf.h).
    public const byte LDX = 0x01;
    public const byte ALU = 0x04;
    public const byte JMP = 0x05;
    public const byte ALU64 = 0x07;
    public const byte W = 0x00;
    public const byte MEM = 0x60;
    public const byte K = 0x00;
    public const byte X = 0x08;
    public const byte AND = 0x50;
    public const byte RSH = 0x70;
    public const byte MOV = 0xb0;
    public const byte JEQ = 0x10;
    public const byte JNE = 0x50;
    public const byte EXIT = 0x90;

    /// <summary>dst = *(u32 *)(src + off)</summary>
    public static BpfInstruction LoadWord(byte dst, byte src, short off) => new(LDX | MEM | W, dst, src, off, 0);

    /// <summary>dst = (u32)dst &amp; imm</summary>
    public static BpfInstruction And32(byte dst, int imm) => new(ALU | AND | K, dst, 0, 0, imm);

    /// <summary>dst = (u32)dst &gt;&gt; imm</summary>
    public static BpfInstruction Rsh32(byte dst, int imm) => new(ALU | RSH | K, dst, 0, 0, imm);

    /// <summary>dst = (u32)src</summary>
    public static BpfInstruction Mov32Reg(byte dst, byte src) => new(ALU | MOV | X, dst, src, 0, 0);

    /// <summary>dst = imm</summary>
    public static BpfInstruction Mov64(byte dst, int imm) => new(ALU64 | MOV | K, dst, 0, 0, imm);

    /// <summary>if dst != imm: pc += off</summary>
    public static BpfInstruction JumpIfNot(byte dst, int imm, short off) => new(JMP | JNE | K, dst, 0, off, imm);

    /// <summary>if dst != src: pc += off</summary>
    public static BpfInstruction JumpIfNotReg(byte dst, byte src, short off) => new(JMP | JNE | X, dst, src, off, 0);

    /// <summary>if dst == imm: pc += off</summary>
    public static BpfInstruction JumpIf(byte dst, int imm, short off) => new(JMP | JEQ | K, dst, 0, off, imm);

    public static BpfInstruction Exit() => new(JMP | EXIT, 0, 0, 0, 0);

    public bool IsJump => (Code & 0x07) == JMP && Code != (JMP | EXIT);

    public bool IsExit => Code == (JMP | EXIT);

    public BpfInstruction WithOffset(short off) => this with { Off = off };

    /// <summary>The 8 bytes the kernel reads, as one little-endian word.</summary>
    public ulong Encode() =>
        Code | ((ulong)(byte)((Dst & 0x0f) | (Src << 4)) << 8) | ((ulong)(ushort)Off << 16) | ((ulong)(uint)Imm << 32);
}
