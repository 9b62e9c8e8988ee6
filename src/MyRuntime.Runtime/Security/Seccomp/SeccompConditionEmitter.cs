using static MyRuntime.Runtime.Security.Seccomp.BpfAssembler;

namespace MyRuntime.Runtime.Security.Seccomp;

/// <summary>
/// One argument condition in classic BPF, which loads 32 bits at a time: a 64-bit argument is judged on its high
/// half (seccomp_data.args[i] + 4, little-endian) and, where that is equal, on its low half. A 32-bit ABI's
/// arguments (wide false) are judged on the low half only, as libseccomp does.
/// </summary>
internal static class SeccompConditionEmitter
{
    public static void Emit(BpfAssembler asm, SeccompCondition c, int pass, int fail, bool wide)
    {
        // !=, < and <= are the negations of ==, >= and >: the same test with its outcomes swapped.
        var (op, negated) = c.Op switch
        {
            SeccompOp.NotEqual => (SeccompOp.Equal, true),
            SeccompOp.Less => (SeccompOp.GreaterOrEqual, true),
            SeccompOp.LessOrEqual => (SeccompOp.Greater, true),
            _ => (c.Op, false),
        };
        if (negated)
        {
            (pass, fail) = (fail, pass);
        }

        uint lo = (uint)(16 + (8 * c.Index)), hi = lo + 4;
        uint vLo = (uint)c.Value, vHi = (uint)(c.Value >> 32);
        int low = asm.NewLabel();
        switch (op)
        {
            case SeccompOp.Equal:
                High(asm, wide, hi, () => asm.Branch(JumpEqual, vHi, low, fail));
                asm.Place(low);
                asm.Load(lo);
                asm.Branch(JumpEqual, vLo, pass, fail);
                break;
            case SeccompOp.Greater or SeccompOp.GreaterOrEqual:
                High(asm, wide, hi, () =>
                {
                    int notAbove = asm.NewLabel();
                    asm.Branch(JumpGreater, vHi, pass, notAbove);
                    asm.Place(notAbove);
                    asm.Branch(JumpEqual, vHi, low, fail);
                });
                asm.Place(low);
                asm.Load(lo);
                asm.Branch(op == SeccompOp.Greater ? JumpGreater : JumpGreaterOrEqual, vLo, pass, fail);
                break;
            case SeccompOp.MaskedEqual:
                uint mHi = (uint)(c.Value >> 32), wHi = (uint)(c.ValueTwo >> 32);
                High(asm, wide, hi, () =>
                {
                    asm.And(mHi);
                    asm.Branch(JumpEqual, wHi, low, fail);
                });
                asm.Place(low);
                asm.Load(lo);
                asm.And((uint)c.Value);
                asm.Branch(JumpEqual, (uint)c.ValueTwo, pass, fail);
                break;
        }
    }

    /// <summary>Loads the high half and runs the test on it, for a 64-bit ABI only.</summary>
    private static void High(BpfAssembler asm, bool wide, uint offset, Action test)
    {
        if (wide)
        {
            asm.Load(offset);
            test();
        }
    }
}
