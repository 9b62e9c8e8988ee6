using MyRuntime.Linux;
using MyRuntime.Linux.Spawn;
using MyRuntime.Oci.RuntimeSpec;
using MyRuntime.Runtime.Config;
using MyRuntime.Runtime.Rootfs;

namespace MyRuntime.Runtime.Container;

/// <summary>Turns a spec process into the settings a spawned child applies to itself, and finds its program
/// inside the container's root.</summary>
public static class ProcessSettingsBuilder
{
    /// <summary>The settings of process p. personality is the container's linux.personality; execCPUAffinity applies
    /// to exec'd processes only (the spec: "not applicable to the container's init process"). seccomp is the container's
    /// compiled linux.seccomp, which applies to exec'd processes too.</summary>
    public static ProcessSettings Build(Process p, int preserveFds, LinuxPersonality? personality, bool exec, SeccompFilter? seccomp = null)
    {
        CapabilitySets? caps = null;
        if (p.Capabilities is { } c)
        {
            int last = Capabilities.LastCap();
            caps = new CapabilitySets(
                Capabilities.Mask(c.Bounding, last),
                Capabilities.Mask(c.Effective, last),
                Capabilities.Mask(c.Permitted, last),
                Capabilities.Mask(c.Inheritable, last),
                Capabilities.Mask(c.Ambient, last));
        }

        return new ProcessSettings
        {
            Uid = p.User.Uid,
            Gid = p.User.Gid,
            Groups = p.User.AdditionalGids ?? [],
            Rlimits = [.. (p.Rlimits ?? []).Select(r => (Limits.Parse(r.Type), r.Soft, r.Hard))],
            OomScoreAdj = p.OomScoreAdj,
            Capabilities = caps,
            Umask = p.User.Umask ?? 0x12,
            Cwd = p.Cwd,
            NoNewPrivileges = p.NoNewPrivileges,
            CloseFrom = 3 + preserveFds,
            Personality = personality is null ? null : Scheduling.PersonalityDomain(personality.Domain),
            Scheduler = p.Scheduler is { } s ? new SchedulerSettings(
                (uint)Scheduling.Policy(s.Policy),
                (s.Flags ?? []).Aggregate(0UL, (all, f) => all | Scheduling.Flag(f)),
                s.Nice ?? 0,
                (uint)(s.Priority ?? 0),
                s.Runtime ?? 0,
                s.Deadline ?? 0,
                s.Period ?? 0) : null,
            IoPriority = p.IoPriority is { } io ? Scheduling.IoPriority(io.Class, io.Priority) : null,
            InitialCpus = exec && p.ExecCpuAffinity?.Initial is { Length: > 0 } initial ? CpuList.Parse(initial, "process.execCPUAffinity.initial") : null,
            FinalCpus = exec && p.ExecCpuAffinity?.Final is { Length: > 0 } final ? CpuList.Parse(final, "process.execCPUAffinity.final") : null,
            Seccomp = seccomp,
        };
    }

    /// <summary>Sets HOME from the container's /etc/passwd when the environment lacks it (as runc does; "/" when the
    /// user has no entry).</summary>
    public static void AddHome(string root, Process p)
    {
        var env = p.Env ?? [];
        if (env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)))
        {
            return;
        }

        string home = "/";
        try
        {
            string passwd = SecureJoin.Join(root, "/etc/passwd");
            foreach (string line in File.ReadLines(passwd))
            {
                string[] f = line.Split(':');
                if (f.Length >= 6 && uint.TryParse(f[2], out uint uid) && uid == p.User.Uid)
                {
                    home = f[5].Length > 0 ? f[5] : "/";
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No passwd in the image: HOME=/ as for a user without an entry.
        }

        p.Env = [.. env, $"HOME={home}"];
    }

    /// <summary>The program's path as the container sees it, searched like execvp in the container's root
    /// (ROOT is a host path to it, such as /proc/PID/root).</summary>
    public static string ResolveIn(string root, Process p) => ResolveIn(root, p, []);

    /// <summary>As <see cref="ResolveIn(string, Process)"/>; a path at or under one of <paramref name="mountDestinations"/>
    /// is taken as given (the mount brings it, after this check runs; execve reports it if it is missing).</summary>
    public static string ResolveIn(string root, Process p, IEnumerable<string> mountDestinations)
    {
        string name = p.Args![0];
        if (name.Contains('/'))
        {
            string inContainer = name.StartsWith('/') ? name : Path.GetFullPath(name, p.Cwd);
            if (mountDestinations.Any(d => inContainer == d || inContainer.StartsWith(d.TrimEnd('/') + "/", StringComparison.Ordinal)))
            {
                return inContainer;
            }

            return File.Exists(SecureJoin.Join(root, inContainer))
                ? inContainer
                : throw new RuntimeException($"exec: \"{name}\": no such file or directory");
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
            string candidate = Path.Combine(dir.Length == 0 ? p.Cwd : dir, name);
            string host = SecureJoin.Join(root, candidate);
            if (File.Exists(host) && Files.IsExecutable(host))
            {
                return candidate;
            }
        }

        throw new RuntimeException($"exec: \"{name}\": executable file not found in $PATH");
    }
}
