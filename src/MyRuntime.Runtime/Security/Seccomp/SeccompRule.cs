using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Security.Seccomp;

/// <summary>The argument comparisons of the spec (libseccomp's SCMP_CMP_*).</summary>
internal enum SeccompOp
{
    NotEqual,
    Less,
    LessOrEqual,
    Equal,
    GreaterOrEqual,
    Greater,
    MaskedEqual,
}

/// <summary>One argument condition: (arg OP value), or for MaskedEqual ((arg &amp; value) == valueTwo).</summary>
internal readonly record struct SeccompCondition(int Index, SeccompOp Op, ulong Value, ulong ValueTwo);

/// <summary>A checked rule: its SECCOMP_RET_* value when every condition holds (none: always).</summary>
internal sealed record SeccompRule(uint Action, IReadOnlyList<SeccompCondition> Conditions)
{
    public static SeccompRule Parse(LinuxSyscall s, string where)
    {
        uint action = SeccompActions.Parse(s.Action, s.ErrnoRet, where);
        var conditions = new List<SeccompCondition>();
        foreach (var a in s.Args ?? [])
        {
            if (a.Index > 5)
            {
                throw new RuntimeException($"{where}: argument index {a.Index} is out of range (0 to 5)");
            }

            var op = a.Op switch
            {
                "SCMP_CMP_NE" => SeccompOp.NotEqual,
                "SCMP_CMP_LT" => SeccompOp.Less,
                "SCMP_CMP_LE" => SeccompOp.LessOrEqual,
                "SCMP_CMP_EQ" => SeccompOp.Equal,
                "SCMP_CMP_GE" => SeccompOp.GreaterOrEqual,
                "SCMP_CMP_GT" => SeccompOp.Greater,
                "SCMP_CMP_MASKED_EQ" => SeccompOp.MaskedEqual,
                _ => throw new RuntimeException($"{where}: unknown argument operator \"{a.Op}\""),
            };
            conditions.Add(new SeccompCondition((int)a.Index, op, a.Value, a.ValueTwo));
        }

        return new SeccompRule(action, conditions);
    }
}
