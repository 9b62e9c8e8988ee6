namespace MyRuntime.Runtime.Security.Seccomp;

/// <summary>The spec's SCMP_ACT_* actions as SECCOMP_RET_* values.</summary>
internal static class SeccompActions
{
    public const uint KillProcess = 0x80000000;
    public const uint KillThread = 0x00000000;
    public const uint Trap = 0x00030000;
    public const uint Errno = 0x00050000;
    public const uint Trace = 0x7ff00000;
    public const uint Log = 0x7ffc0000;
    public const uint Allow = 0x7fff0000;

    private const uint EPERM = 1;

    /// <summary>The return value of action; errnoRet (default EPERM) goes with ERRNO and TRACE only.</summary>
    public static uint Parse(string action, uint? errnoRet, string where)
    {
        uint ret = action switch
        {
            "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => KillThread,
            "SCMP_ACT_KILL_PROCESS" => KillProcess,
            "SCMP_ACT_TRAP" => Trap,
            "SCMP_ACT_ERRNO" => Errno,
            "SCMP_ACT_TRACE" => Trace,
            "SCMP_ACT_ALLOW" => Allow,
            "SCMP_ACT_LOG" => Log,
            "SCMP_ACT_NOTIFY" => throw new RuntimeException($"{where}: SCMP_ACT_NOTIFY is not supported (no seccomp user notification)"),
            _ => throw new RuntimeException($"{where}: unknown action \"{action}\""),
        };
        if (ret is Errno or Trace)
        {
            uint errno = errnoRet ?? EPERM;
            return errno <= 0xffff ? ret | errno : throw new RuntimeException($"{where}: errnoRet {errno} is out of range");
        }

        return errnoRet is null ? ret : throw new RuntimeException($"{where}: errnoRet is not allowed with {action}");
    }
}
