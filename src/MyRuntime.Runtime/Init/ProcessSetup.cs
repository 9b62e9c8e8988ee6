using MyRuntime.Linux;
using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Init;

/// <summary>The last steps before the user program: limits, identity, capabilities, no_new_privs, descriptors,
/// working directory, then execve. Must run on the thread that execs (capabilities are per thread).</summary>
public static class ProcessSetup
{
    /// <summary>Finds the program as execvp would, with the PATH of the process's own environment.</summary>
    public static string ResolveExecutable(Process p)
    {
        string name = p.Args![0];
        if (name.Contains('/'))
        {
            string abs = name.StartsWith('/') ? name : Path.GetFullPath(name, p.Cwd);
            return File.Exists(abs) ? abs : throw new RuntimeException($"exec: \"{name}\": no such file or directory");
        }

        string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (string e in p.Env ?? [])
        {
            if (e.StartsWith("PATH=", StringComparison.Ordinal))
            {
                path = e[5..];
            }
        }

        foreach (string dir in path.Split(':'))
        {
            string candidate = Path.Combine(dir.Length == 0 ? "." : dir, name);
            if (File.Exists(candidate) && Files.IsExecutable(candidate))
            {
                return candidate;
            }
        }

        throw new RuntimeException($"exec: \"{name}\": executable file not found in $PATH");
    }

    /// <summary>Applies the process settings and execs. Returns only by throwing.</summary>
    public static void Exec(Process p, string executable, int preserveFds, int oomScoreAdj = int.MinValue)
    {
        foreach (var r in p.Rlimits ?? [])
        {
            Limits.Set(r.Type, r.Soft, r.Hard);
        }

        int adj = p.OomScoreAdj ?? oomScoreAdj;
        if (adj != int.MinValue)
        {
            File.WriteAllText("/proc/self/oom_score_adj", adj.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        int lastCap = Capabilities.LastCap();
        var caps = p.Capabilities;
        if (caps is not null)
        {
            Capabilities.LimitBounding(Capabilities.Mask(caps.Bounding, lastCap), lastCap);
        }

        Processes.Prctl(Processes.PR_SET_KEEPCAPS, 1);
        if (p.User.AdditionalGids is { } groups)
        {
            Credentials.SetGroups(groups);
        }
        else
        {
            TrySetGroups([]);
        }

        Credentials.SetGid(p.User.Gid);
        Credentials.SetUid(p.User.Uid);
        Processes.Prctl(Processes.PR_SET_KEEPCAPS, 0);

        if (caps is not null)
        {
            ulong permitted = Capabilities.Mask(caps.Permitted, lastCap);
            ulong inheritable = Capabilities.Mask(caps.Inheritable, lastCap);
            Capabilities.Set(Capabilities.Mask(caps.Effective, lastCap), permitted, inheritable);

            // The kernel raises an ambient capability only if it is permitted and inheritable; like runc, leave
            // out the others rather than fail (runc's own default spec lists ambient caps without inheritable ones).
            ulong ambient = Capabilities.Mask(caps.Ambient, lastCap) & permitted & inheritable;
            if (ambient != 0)
            {
                Capabilities.SetAmbient(ambient, lastCap);
            }
        }

        Files.Umask(p.User.Umask ?? 0x12 /* 022 */);
        try
        {
            Files.Chdir(p.Cwd);
        }
        catch (LinuxException e)
        {
            throw new RuntimeException($"cwd {p.Cwd}: {e.Message}");
        }

        if (p.NoNewPrivileges)
        {
            Processes.Prctl(Processes.PR_SET_NO_NEW_PRIVS, 1);
        }

        Files.CloseOnExecFrom(3 + preserveFds);
        try
        {
            Processes.Execve(executable, p.Args!, p.Env ?? []);
        }
        catch (LinuxException e)
        {
            throw new RuntimeException($"exec {p.Args![0]}: {e.Message}");
        }
    }

    private static void TrySetGroups(uint[] groups)
    {
        try
        {
            Credentials.SetGroups(groups);
        }
        catch (LinuxException e) when (e.Errno == Errno.EPERM)
        {
            // setgroups is denied in user namespaces set up with "deny"; keeping the current groups is then all we can do.
        }
    }
}
