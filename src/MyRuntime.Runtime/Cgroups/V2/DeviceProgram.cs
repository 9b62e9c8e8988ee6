using MyRuntime.Runtime.Cgroups.Devices;
using I = MyRuntime.Linux.BpfInstruction;

namespace MyRuntime.Runtime.Cgroups.V2;

/// <summary>Compiles a device allowlist to a BPF_PROG_TYPE_CGROUP_DEVICE program: the kernel calls it with
/// struct bpf_cgroup_dev_ctx { u32 access_type (access &lt;&lt; 16 | type); u32 major; u32 minor; } for every
/// mknod and open of a device node, and it returns 1 to allow, 0 to deny (EPERM).</summary>
public static class DeviceProgram
{
    // Registers: R1 the context, then scratch; R2 the type; R3 the access; R4 major; R5 minor.
    private const byte R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;

    /// <summary>BPF_DEVCG_DEV_BLOCK and BPF_DEVCG_DEV_CHAR.</summary>
    public static int TypeCode(char type) => type == 'b' ? 1 : 2;

    public static List<I> Compile(DeviceAllowlist list)
    {
        var p = new List<I>
        {
            I.LoadWord(R2, R1, 0),
            I.And32(R2, 0xffff),
            I.LoadWord(R3, R1, 0),
            I.Rsh32(R3, 16),
            I.LoadWord(R4, R1, 4),
            I.LoadWord(R5, R1, 8),
        };

        // One block per exception: each test that fails jumps past the block to the next one; a device that
        // passes them all gets the exception's verdict. One that matches none gets the default.
        foreach (var e in list.Exceptions)
        {
            int start = p.Count;
            p.Add(I.JumpIfNot(R2, TypeCode(e.Type), 0));
            if (e.Access != DeviceAccess.All)
            {
                p.Add(I.Mov32Reg(R1, R3));
                p.Add(I.And32(R1, (int)e.Access));

                // An allow must cover all the access asked for; a deny refuses any of it.
                p.Add(e.Allow ? I.JumpIfNotReg(R1, R3, 0) : I.JumpIf(R1, 0, 0));
            }

            if (e.Major != DeviceRule.Any)
            {
                p.Add(I.JumpIfNot(R4, (int)e.Major, 0));
            }

            if (e.Minor != DeviceRule.Any)
            {
                p.Add(I.JumpIfNot(R5, (int)e.Minor, 0));
            }

            p.Add(I.Mov64(R0, e.Allow ? 1 : 0));
            p.Add(I.Exit());
            for (int i = start; i < p.Count; i++)
            {
                if (p[i].IsJump)
                {
                    p[i] = p[i].WithOffset((short)(p.Count - i - 1));
                }
            }
        }

        p.Add(I.Mov64(R0, list.DefaultAllow ? 1 : 0));
        p.Add(I.Exit());
        return p;
    }
}
