using MyRuntime.Linux.Spawn;
using MyRuntime.Oci.RuntimeSpec;
using static MyRuntime.Runtime.Security.Seccomp.BpfAssembler;

namespace MyRuntime.Runtime.Security.Seccomp;

/// <summary>
/// linux.seccomp → a classic BPF program, with libseccomp's semantics: the architecture is checked first (x86_64
/// always; x86 and x32 when listed; any other ABI, x32 included when not listed, gets KILL_PROCESS); within it the
/// system call number is found by a binary search; a call's rules are tried in order, their conditions ANDed, the
/// first that holds deciding (an unconditional rule last); no rule → the default action. Names an architecture
/// lacks are skipped.
/// </summary>
public static class SeccompCompiler
{
    /// <summary>BPF_MAXINSNS: the kernel refuses longer programs.</summary>
    public const int MaxInstructions = 4096;

    public const uint FlagTsync = 1;
    public const uint FlagLog = 2;
    public const uint FlagSpecAllow = 4;

    private const int LeafSize = 16;

    public static SeccompFilter Compile(LinuxSeccomp s)
    {
        const string where = "linux.seccomp";
        if (!string.IsNullOrEmpty(s.ListenerPath))
        {
            throw new RuntimeException($"{where}.listenerPath: seccomp user notification is not supported");
        }

        uint defaultAction = SeccompActions.Parse(s.DefaultAction, s.DefaultErrnoRet, $"{where}.defaultAction");
        uint flags = 0;
        foreach (string f in s.Flags ?? [])
        {
            flags |= f switch
            {
                "SECCOMP_FILTER_FLAG_TSYNC" => FlagTsync,
                "SECCOMP_FILTER_FLAG_LOG" => FlagLog,
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => FlagSpecAllow,
                _ => throw new RuntimeException($"{where}.flags: unknown or unsupported flag \"{f}\""),
            };
        }

        var arches = new SortedSet<SeccompArch> { SeccompArch.X86_64 };
        foreach (string a in s.Architectures ?? [])
        {
            if (SeccompArchNames.Parse(a) is { } arch)
            {
                arches.Add(arch);
            }
        }

        var perArch = arches.ToDictionary(a => a, _ => new SortedDictionary<uint, List<SeccompRule>>());
        var syscalls = s.Syscalls ?? [];
        for (int i = 0; i < syscalls.Count; i++)
        {
            string at = $"{where}.syscalls[{i}]";
            if (syscalls[i].Names is not { Count: > 0 } names)
            {
                throw new RuntimeException($"{at}: names is empty");
            }

            var rule = SeccompRule.Parse(syscalls[i], at);
            foreach (var (arch, rules) in perArch)
            {
                foreach (string name in names)
                {
                    if (SyscallTable.Number(arch, name) is { } nr)
                    {
                        if (!rules.TryGetValue(nr, out var list))
                        {
                            rules[nr] = list = [];
                        }

                        list.Add(rule);
                    }
                }
            }
        }

        ulong[] program = Emit(perArch, defaultAction);
        return program.Length <= MaxInstructions ? new SeccompFilter(program, flags)
            : throw new RuntimeException($"{where}: the filter needs {program.Length} BPF instructions, more than the kernel's {MaxInstructions}");
    }

    private static ulong[] Emit(Dictionary<SeccompArch, SortedDictionary<uint, List<SeccompRule>>> perArch, uint defaultAction)
    {
        var asm = new BpfAssembler();
        int badArch = asm.NewLabel(), x86_64 = asm.NewLabel(), native = asm.NewLabel();
        int x32 = perArch.ContainsKey(SeccompArch.X32) ? asm.NewLabel() : badArch;
        asm.Load(4); // seccomp_data.arch
        if (perArch.ContainsKey(SeccompArch.X86))
        {
            int i386 = asm.NewLabel(), other = asm.NewLabel();
            asm.Branch(JumpEqual, SeccompArchNames.AuditArchX86_64, x86_64, other);
            asm.Place(other);
            asm.Branch(JumpEqual, SeccompArchNames.AuditArchI386, i386, badArch);
            asm.Place(i386);
            asm.Load(0); // seccomp_data.nr
            Search(asm, [.. perArch[SeccompArch.X86]], wide: false, defaultAction);
        }
        else
        {
            asm.Branch(JumpEqual, SeccompArchNames.AuditArchX86_64, x86_64, badArch);
        }

        asm.Place(x86_64);
        asm.Load(0);
        asm.Branch(JumpGreaterOrEqual, SyscallTable.X32Bit, x32, native);
        asm.Place(native);
        Search(asm, [.. perArch[SeccompArch.X86_64]], wide: true, defaultAction);
        if (x32 != badArch)
        {
            asm.Place(x32);
            Search(asm, [.. perArch[SeccompArch.X32]], wide: true, defaultAction);
        }

        asm.Place(badArch);
        asm.Ret(SeccompActions.KillProcess);
        return asm.Assemble();
    }

    /// <summary>A binary search on the number in the accumulator over calls (sorted), down to leaves of a few
    /// compares each.</summary>
    private static void Search(BpfAssembler asm, KeyValuePair<uint, List<SeccompRule>>[] calls, bool wide, uint defaultAction)
    {
        if (calls.Length <= LeafSize)
        {
            Leaf(asm, calls, wide, defaultAction);
            return;
        }

        int mid = calls.Length / 2;
        int low = asm.NewLabel(), high = asm.NewLabel();
        asm.Branch(JumpGreaterOrEqual, calls[mid].Key, high, low);
        asm.Place(low);
        Search(asm, calls[..mid], wide, defaultAction);
        asm.Place(high);
        Search(asm, calls[mid..], wide, defaultAction);
    }

    private static void Leaf(BpfAssembler asm, KeyValuePair<uint, List<SeccompRule>>[] calls, bool wide, uint defaultAction)
    {
        var returns = new Dictionary<uint, int>();
        var blocks = new List<(int Label, List<SeccompRule> Rules)>();
        foreach (var (nr, rules) in calls)
        {
            int target;
            if (rules.All(r => r.Conditions.Count == 0))
            {
                if (!returns.TryGetValue(rules[0].Action, out target))
                {
                    returns[rules[0].Action] = target = asm.NewLabel();
                }
            }
            else
            {
                target = asm.NewLabel();
                blocks.Add((target, rules));
            }

            int next = asm.NewLabel();
            asm.Branch(JumpEqual, nr, target, next);
            asm.Place(next);
        }

        asm.Ret(defaultAction);
        foreach (var (action, label) in returns)
        {
            asm.Place(label);
            asm.Ret(action);
        }

        foreach (var (label, rules) in blocks)
        {
            asm.Place(label);
            foreach (var rule in rules.Where(r => r.Conditions.Count > 0))
            {
                int fail = asm.NewLabel();
                foreach (var c in rule.Conditions)
                {
                    int pass = asm.NewLabel();
                    SeccompConditionEmitter.Emit(asm, c, pass, fail, wide);
                    asm.Place(pass);
                }

                asm.Ret(rule.Action);
                asm.Place(fail);
            }

            asm.Ret(rules.FirstOrDefault(r => r.Conditions.Count == 0)?.Action ?? defaultAction);
        }
    }
}
