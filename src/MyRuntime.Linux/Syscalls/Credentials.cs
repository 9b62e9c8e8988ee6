using System.Runtime.InteropServices;

namespace MyRuntime.Linux;

/// <summary>The runtime's own credentials.</summary>
public static partial class Credentials
{
    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "getegid")]
    public static partial uint GetEgid();

}
