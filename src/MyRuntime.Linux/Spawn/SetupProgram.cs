using System.Runtime.InteropServices;
using System.Text;

namespace MyRuntime.Linux.Spawn;

/// <summary>The operations a spawned child can perform between clone and execve, each a few raw system calls.</summary>
public enum SetupOpCode
{
    Mount = 1,
    Mkdir,
    CreateFile,
    Mknod,
    Symlink,
    Chdir,
    PivotRoot,
    Unmount,
    Chroot,
    SetHostname,
    SetDomainname,
    WriteFile,
    Mask,
    ReadonlyBind,
    RemountKeepingLocked,
    Console,
    SyncHooks,
    RunHook,
    Ready,
    WaitStart,
    AttachConsole,
    ApplyProcessEarly,

    /// <summary>Replaces text S1 in the state that hooks read by S2 of the same length (a later lifecycle status).</summary>
    ReplaceInState,

    /// <summary>Writes the byte on the exec FIFO that WaitStart opened: start returns once the startContainer hooks ran.</summary>
    SignalStart,
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SetupOp
{
    public int Code;
    public int Flags;
    public long A;
    public long B;
    public long C;
    public byte* S1;
    public byte* S2;
    public byte* S3;
    public byte* S4;
    public byte* Description;
}

/// <summary>
/// A program of setup operations built by the runtime before clone and run by the child with raw system calls:
/// the mount table, /dev, pivot_root, hostname, sysctls, masked and read-only paths, the console, hooks and the
/// wait for start. Strings and tables live in one unmanaged arena that the child reads and never frees.
/// </summary>
public sealed unsafe class SetupProgram : IDisposable
{
    /// <summary>A failing op with this flag runs the next op instead (a fallback); a succeeding one skips it.</summary>
    public const int FlagFallbackOnEperm = 1;

    /// <summary>The op's failure is ignored.</summary>
    public const int FlagOptional = 2;

    private readonly List<(SetupOp Op, string Description)> ops = [];
    private readonly List<nint> allocations = [];
    private SetupOp* table;

    public int Count => ops.Count;

    /// <summary>What op number i does, for the error message when it fails.</summary>
    public string Describe(int i) => i >= 0 && i < ops.Count ? ops[i].Description : "set up the container";

    public void Add(SetupOpCode code, string description, string? s1 = null, string? s2 = null, string? s3 = null, string? s4 = null, long a = 0, long b = 0, long c = 0, int flags = 0)
    {
        ops.Add((new SetupOp
        {
            Code = (int)code,
            Flags = flags,
            A = a,
            B = b,
            C = c,
            S1 = Str(s1),
            S2 = Str(s2),
            S3 = Str(s3),
            S4 = Str(s4),
            Description = Str(description),
        }, description));
    }

    /// <summary>A NULL-terminated array of strings (argv, envp) in the arena; its address as a number.</summary>
    public long StringArray(IReadOnlyList<string> items)
    {
        byte** array = (byte**)Alloc((items.Count + 1) * sizeof(byte*));
        for (int i = 0; i < items.Count; i++)
        {
            array[i] = Str(items[i]);
        }

        array[items.Count] = null;
        return (long)array;
    }

    /// <summary>The table the child walks; valid until this program is disposed.</summary>
    internal SetupOp* Table()
    {
        if (table == null)
        {
            table = (SetupOp*)Alloc(Math.Max(1, ops.Count) * sizeof(SetupOp));
            for (int i = 0; i < ops.Count; i++)
            {
                table[i] = ops[i].Op;
            }
        }

        return table;
    }

    internal byte* Str(string? s)
    {
        if (s is null)
        {
            return null;
        }

        int n = Encoding.UTF8.GetByteCount(s);
        byte* p = (byte*)Alloc(n + 1);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        p[n] = 0;
        return p;
    }

    private void* Alloc(int size)
    {
        void* p = NativeMemory.AllocZeroed((nuint)size);
        allocations.Add((nint)p);
        return p;
    }

    public void Dispose()
    {
        foreach (nint p in allocations)
        {
            NativeMemory.Free((void*)p);
        }

        allocations.Clear();
        table = null;
    }
}
