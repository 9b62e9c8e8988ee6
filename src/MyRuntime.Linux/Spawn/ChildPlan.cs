using System.Runtime.InteropServices;

namespace MyRuntime.Linux.Spawn;

/// <summary>
/// The plan a cloned child follows. It lives in unmanaged memory and holds only numbers and pointers,
/// because the child may touch nothing managed: it runs raw system calls and then execve(2).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ChildPlan
{
    public long CloneFlags;
    public int SyncFd;
    public int WaitGo;
    public int RequestMap;
    public int* JoinFds;
    public int* JoinTypes;
    public int JoinCount;
    public int UnshareUser;
    public int BecomeRoot;
    public int UnshareFlags;
    public int SecondClone;
    public int WaitGoAfterClone;
    public int Stdin;
    public int Stdout;
    public int Stderr;
    public int* InheritFds;
    public int InheritCount;
    public byte* ExecPath;
    public byte** Argv;
    public byte** Envp;
    public ProcessPlan* Process;
    public SetupOp* Ops;
    public int OpCount;
    public int* CloseRanges;
    public int CloseRangeCount;
    public byte** StepTexts;
    public int CurrentOp;
    public int EarlyDone;
    public byte* StateBuffer;
    public int StateCapacity;
    public int StateLength;
    public int SlaveFd;

    /// <summary>The exec FIFO opened for writing by WaitStart; SignalStart writes its byte (0 when none).</summary>
    public int StartFd;
    public int NewProcessGroup;
    public int ForegroundTerminal;
}

/// <summary>The final process settings the child applies itself before execve (used where no init stage can run,
/// such as exec into a container whose root holds no dynamic loader for this binary).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ProcessPlan
{
    public int RlimitCount;
    public int* RlimitResources;
    public ulong* RlimitValues;
    public byte* OomScoreAdj;
    public int ApplyCaps;
    public int LastCap;
    public ulong Bounding;
    public uint* CapData;
    public ulong Ambient;
    public uint Uid;
    public uint Gid;
    public int GroupCount;
    public uint* Groups;
    public int Umask;
    public byte* Cwd;
    public int NoNewPrivileges;
    public int CloseFrom;
    public long Personality;
    public ulong* SchedAttr;
    public long IoPriority;
    public int AffinityBytes;
    public ulong* Affinity;
    public void* SeccompProgram; // struct sock_fprog; null: no filter
    public uint SeccompFlags;
    public int SeccompLast; // 1: right before execve (no_new_privs set); 0: before the capabilities are dropped
}
