namespace MyRuntime.Runtime.Security.Seccomp;

/// <summary>Builds a classic BPF program with forward jumps to labels. A conditional jump whose target lies more than
/// 255 instructions ahead (its offsets are 8 bits) becomes the jump over two unconditional ones (32-bit offsets).</summary>
internal sealed class BpfAssembler
{
    public const ushort LoadAbsolute = 0x20; // BPF_LD | BPF_W | BPF_ABS
    public const ushort AndConstant = 0x54; // BPF_ALU | BPF_AND | BPF_K
    public const ushort JumpAlways = 0x05; // BPF_JMP | BPF_JA
    public const ushort JumpEqual = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    public const ushort JumpGreater = 0x25; // BPF_JMP | BPF_JGT | BPF_K
    public const ushort JumpGreaterOrEqual = 0x35; // BPF_JMP | BPF_JGE | BPF_K
    public const ushort Return = 0x06; // BPF_RET | BPF_K

    private readonly List<Item> items = [];
    private readonly List<int> labelItems = [];

    /// <summary>A new label, placed later with <see cref="Place"/>.</summary>
    public int NewLabel()
    {
        labelItems.Add(-1);
        return labelItems.Count - 1;
    }

    public void Place(int label)
    {
        if (labelItems[label] >= 0)
        {
            throw new InvalidOperationException("label placed twice");
        }

        labelItems[label] = items.Count;
    }

    public void Load(uint offset) => items.Add(new Item(LoadAbsolute, offset, -1, -1));

    public void And(uint mask) => items.Add(new Item(AndConstant, mask, -1, -1));

    public void Ret(uint value) => items.Add(new Item(Return, value, -1, -1));

    public void Jump(int label) => items.Add(new Item(JumpAlways, 0, label, -1));

    /// <summary>A conditional jump on the accumulator against k: to ifTrue or ifFalse.</summary>
    public void Branch(ushort code, uint k, int ifTrue, int ifFalse) => items.Add(new Item(code, k, ifTrue, ifFalse));

    /// <summary>The packed program.</summary>
    public ulong[] Assemble()
    {
        if (labelItems.Contains(-1))
        {
            throw new InvalidOperationException("label never placed");
        }

        // Positions with the current set of long branches, grown until every short branch fits.
        bool[] longForm = new bool[items.Count];
        int[] position = new int[items.Count + 1];
        while (true)
        {
            for (int i = 0, at = 0; i <= items.Count; i++)
            {
                position[i] = at;
                at += i < items.Count && longForm[i] ? 3 : 1;
            }

            bool grew = false;
            for (int i = 0; i < items.Count; i++)
            {
                var it = items[i];
                if (it.Code is JumpAlways or Return or LoadAbsolute or AndConstant || longForm[i])
                {
                    continue;
                }

                if (Target(it.True, position) - position[i] - 1 > 255 || Target(it.False, position) - position[i] - 1 > 255)
                {
                    longForm[i] = true;
                    grew = true;
                }
            }

            if (!grew)
            {
                break;
            }
        }

        var program = new List<ulong>(position[items.Count]);
        for (int i = 0; i < items.Count; i++)
        {
            var it = items[i];
            int next = position[i] + 1;
            if (it.Code == JumpAlways)
            {
                program.Add(Pack(JumpAlways, 0, 0, (uint)Offset(Target(it.True, position), next)));
            }
            else if (it.Code is Return or LoadAbsolute or AndConstant)
            {
                program.Add(Pack(it.Code, 0, 0, it.K));
            }
            else if (!longForm[i])
            {
                program.Add(Pack(it.Code, (byte)Offset(Target(it.True, position), next), (byte)Offset(Target(it.False, position), next), it.K));
            }
            else
            {
                program.Add(Pack(it.Code, 0, 1, it.K));
                program.Add(Pack(JumpAlways, 0, 0, (uint)Offset(Target(it.True, position), next + 1)));
                program.Add(Pack(JumpAlways, 0, 0, (uint)Offset(Target(it.False, position), next + 2)));
            }
        }

        return [.. program];
    }

    public static ulong Pack(ushort code, byte jt, byte jf, uint k) => code | ((ulong)jt << 16) | ((ulong)jf << 24) | ((ulong)k << 32);

    private int Target(int label, int[] position) => position[labelItems[label]];

    private static int Offset(int target, int next) =>
        target >= next ? target - next : throw new InvalidOperationException("backward jump in a BPF program");

    private readonly record struct Item(ushort Code, uint K, int True, int False);
}
