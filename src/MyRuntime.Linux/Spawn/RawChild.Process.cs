namespace MyRuntime.Linux.Spawn;

/// <summary>The child's process settings: rlimits, oom_score_adj, cwd, personality, scheduler, I/O priority,
/// capabilities, identity, umask, no_new_privs, CPU affinity, the seccomp filter.</summary>
internal static unsafe partial class RawChild
{
    /// <summary>What can fail for reasons of the spec (rlimits, oom_score_adj, cwd, personality, scheduler, I/O
    /// priority): applied before ready, so that create reports it, and while the process still has its
    /// capabilities (a negative nice or a real-time policy needs CAP_SYS_NICE).</summary>
    private static void ApplyProcessEarly(ChildPlan* p, ProcessPlan* q)
    {
        for (int i = 0; i < q->RlimitCount; i++)
        {
            if (Raw(SYS_prlimit64, 0, q->RlimitResources[i], (long)(q->RlimitValues + (2 * i)), 0, 0, 0) < 0)
            {
                Fail(p, StepRlimit);
            }
        }

        if (q->OomScoreAdj != null)
        {
            byte* path = stackalloc byte[] { (byte)'/', (byte)'p', (byte)'r', (byte)'o', (byte)'c', (byte)'/', (byte)'s', (byte)'e', (byte)'l', (byte)'f', (byte)'/', (byte)'o', (byte)'o', (byte)'m', (byte)'_', (byte)'s', (byte)'c', (byte)'o', (byte)'r', (byte)'e', (byte)'_', (byte)'a', (byte)'d', (byte)'j', 0 };
            long fd = Raw(SYS_open, (long)path, 1 /* O_WRONLY */ | O_CLOEXEC, 0, 0, 0, 0);
            int len = 0;
            while (q->OomScoreAdj[len] != 0)
            {
                len++;
            }

            if (fd < 0 || Raw(SYS_write, fd, (long)q->OomScoreAdj, len, 0, 0, 0) < 0)
            {
                Fail(p, StepOomScoreAdj);
            }

            Raw(SYS_close, fd, 0, 0, 0, 0, 0);
        }

        if (q->Cwd != null && Raw(SYS_chdir, (long)q->Cwd, 0, 0, 0, 0, 0) < 0)
        {
            Fail(p, StepCwd);
        }

        if (q->Personality >= 0 && Raw(SYS_personality, q->Personality, 0, 0, 0, 0, 0) < 0)
        {
            Fail(p, StepPersonality);
        }

        if (q->SchedAttr != null && Raw(SYS_sched_setattr, 0, (long)q->SchedAttr, 0, 0, 0, 0) < 0)
        {
            Fail(p, StepScheduler);
        }

        if (q->IoPriority >= 0 && Raw(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, q->IoPriority, 0, 0, 0) < 0)
        {
            Fail(p, StepIoPriority);
        }
    }

    private static void ApplyProcess(ChildPlan* p, ProcessPlan* q)
    {
        if (q->SeccompProgram != null && q->SeccompLast == 0)
        {
            LoadSeccomp(p, q);
        }

        if (q->ApplyCaps != 0)
        {
            for (int c = 0; c <= q->LastCap; c++)
            {
                if ((q->Bounding & (1UL << c)) == 0 && Raw(SYS_prctl, 24 /* PR_CAPBSET_DROP */, c, 0, 0, 0, 0) < 0)
                {
                    Fail(p, StepCapabilities);
                }
            }
        }

        if (Raw(SYS_prctl, 8 /* PR_SET_KEEPCAPS */, 1, 0, 0, 0, 0) < 0
            || Raw(SYS_setgroups, q->GroupCount, (long)q->Groups, 0, 0, 0, 0) < 0 && q->GroupCount > 0
            || Raw(SYS_setresgid, q->Gid, q->Gid, q->Gid, 0, 0, 0) < 0
            || Raw(SYS_setresuid, q->Uid, q->Uid, q->Uid, 0, 0, 0) < 0
            || Raw(SYS_prctl, 8, 0, 0, 0, 0, 0) < 0)
        {
            Fail(p, StepIdentity);
        }

        if (q->ApplyCaps != 0)
        {
            uint* header = stackalloc uint[2];
            header[0] = 0x20080522;
            header[1] = 0;
            if (Raw(SYS_capset, (long)header, (long)q->CapData, 0, 0, 0, 0) < 0)
            {
                Fail(p, StepCapabilities);
            }

            for (int c = 0; c <= q->LastCap; c++)
            {
                if ((q->Ambient & (1UL << c)) != 0 && Raw(SYS_prctl, 47 /* PR_CAP_AMBIENT */, 2 /* RAISE */, c, 0, 0, 0) < 0)
                {
                    Fail(p, StepCapabilities);
                }
            }
        }

        if (q->Umask >= 0)
        {
            Raw(SYS_umask, q->Umask, 0, 0, 0, 0, 0);
        }

        if (q->NoNewPrivileges != 0 && Raw(SYS_prctl, 38 /* PR_SET_NO_NEW_PRIVS */, 1, 0, 0, 0, 0) < 0)
        {
            Fail(p, StepNoNewPrivileges);
        }

        if (q->AffinityBytes > 0 && Raw(SYS_sched_setaffinity, 0, q->AffinityBytes, (long)q->Affinity, 0, 0, 0) < 0)
        {
            Fail(p, StepAffinity);
        }

        if (q->CloseFrom > 0)
        {
            Raw(SYS_close_range, q->CloseFrom, uint.MaxValue, 4 /* CLOSE_RANGE_CLOEXEC */, 0, 0, 0);
        }

        if (q->SeccompProgram != null && q->SeccompLast != 0)
        {
            LoadSeccomp(p, q);
        }
    }

    /// <summary>seccomp(SECCOMP_SET_MODE_FILTER, flags, prog): without no_new_privs it needs CAP_SYS_ADMIN.</summary>
    private static void LoadSeccomp(ChildPlan* p, ProcessPlan* q)
    {
        if (Raw(SYS_seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, q->SeccompFlags, (long)q->SeccompProgram, 0, 0, 0) < 0)
        {
            Fail(p, StepSeccomp);
        }
    }
}
