using System.Runtime.InteropServices;
using System.Text;

namespace MyRuntime.Linux;

/// <summary>A path, argv and envp laid out in one unmanaged block, NUL-terminated, as execve(2) takes them.</summary>
public sealed unsafe class NativeStrings : IDisposable
{
    private byte* block;

    public NativeStrings(string path, IReadOnlyList<string> args, IReadOnlyList<string> env)
    {
        int strings = Encoding.UTF8.GetByteCount(path) + 1;
        foreach (string a in args)
        {
            strings += Encoding.UTF8.GetByteCount(a) + 1;
        }

        foreach (string e in env)
        {
            strings += Encoding.UTF8.GetByteCount(e) + 1;
        }

        int pointers = (args.Count + 1 + env.Count + 1) * sizeof(byte*);
        block = (byte*)NativeMemory.Alloc((nuint)(pointers + strings));
        byte** table = (byte**)block;
        byte* cursor = block + pointers;

        Argv = table;
        for (int i = 0; i < args.Count; i++)
        {
            table[i] = cursor;
            cursor = Put(cursor, args[i]);
        }

        table[args.Count] = null;
        Envp = table + args.Count + 1;
        for (int i = 0; i < env.Count; i++)
        {
            Envp[i] = cursor;
            cursor = Put(cursor, env[i]);
        }

        Envp[env.Count] = null;
        Path = cursor;
        Put(cursor, path);
    }

    public byte* Path { get; }

    public byte** Argv { get; }

    public byte** Envp { get; }

    private static byte* Put(byte* dest, string s)
    {
        int n = Encoding.UTF8.GetBytes(s, new Span<byte>(dest, int.MaxValue));
        dest[n] = 0;
        return dest + n + 1;
    }

    public void Dispose()
    {
        if (block != null)
        {
            NativeMemory.Free(block);
            block = null;
        }
    }
}
